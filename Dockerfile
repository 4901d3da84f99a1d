# govwatch application image: the scheduler (default), crawl workers and the CLI.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBIAN_FRONTEND=noninteractive
# Chromium renders `render: js` columns and evidence screenshots; the CJK font draws
# their Chinese text (without it every character is a box).
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# .dockerignore keeps .venv, data/, .env secrets and .git out of the image.
COPY . /app
RUN pip install --no-cache-dir -e .
# The Prometheus endpoint, when GOVWATCH_METRICS_PORT=9108 (docker-compose.yml sets it),
# and the dashboard (`govwatch serve`, the compose file's `web` service).
EXPOSE 9108 8000
# SIGTERM: the scheduler ends its crawls and records them as interrupted, then exits.
STOPSIGNAL SIGTERM
CMD ["python", "scheduler.py"]
