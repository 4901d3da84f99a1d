# govwatch application image: the scheduler (default), crawl workers and the CLI.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -e .
# The Prometheus endpoint, when GOVWATCH_METRICS_PORT=9108 (docker-compose.yml sets it).
EXPOSE 9108
# SIGTERM: the scheduler ends its crawls and records them as interrupted, then exits.
STOPSIGNAL SIGTERM
CMD ["python", "scheduler.py"]
