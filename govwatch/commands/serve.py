"""``govwatch serve``: the read-only web dashboard, behind a login."""

from __future__ import annotations

import typer
from rich.console import Console

from govwatch.errors import BadInput
from settings import get_settings


def serve(
    host: str | None = typer.Option(None, "--host", help="监听地址(默认 GOVWATCH_DASHBOARD_HOST)"),
    port: int | None = typer.Option(None, "--port", help="监听端口(默认 GOVWATCH_DASHBOARD_PORT)"),
) -> None:
    """启动只读的网页监测看板(需登录)。"""
    import uvicorn  # the web stack is loaded only by this command

    from govwatch.web.app import create_app
    from storage.db import get_engine

    if port is not None and not 1 <= port <= 65535:
        raise BadInput(f"--port {port} 无效: 端口应在 1 到 65535 之间")
    settings = get_settings()
    if not settings.dashboard_users:
        raise BadInput(
            "未配置看板用户:请设置 GOVWATCH_DASHBOARD_USERS,例如 "
            '\'{"admin": "<密码哈希>"}\';密码哈希用 python -m govwatch.web.auth 生成'
        )
    get_engine()  # migrate, and fail here with the database's own message, not per page
    host = host or settings.dashboard_host
    port = port or settings.dashboard_port
    console = Console(stderr=True)
    if settings.dashboard_session_secret is None:
        console.print(
            "提示: 未设置 GOVWATCH_DASHBOARD_SESSION_SECRET,看板重启后需重新登录", highlight=False
        )
    console.print(f"监测看板: http://{host}:{port}/", highlight=False)
    uvicorn.run(create_app(), host=host, port=port, log_level="info", proxy_headers=True)
