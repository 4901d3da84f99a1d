"""The ``govwatch`` console script: wires the commands and maps errors to exit codes.

Start-up costs only what the command run uses (issue 17): this module imports
nothing but the standard library. ``govwatch --help`` is printed from
:data:`COMMANDS` by :mod:`govwatch.cli_help` (Rich only, no Typer, no command
module); a plain ``govwatch findings`` on SQLite is answered by
:mod:`govwatch.findings_direct` (no Typer, no SQLAlchemy); every other invocation
goes to the Typer app in :mod:`govwatch.cli_app`, which imports a command's module
when that command is resolved. ``app``,
``LazyCommands`` and ``load_command`` are still reachable here (imported on first use).
"""

from __future__ import annotations

import sys
from typing import Any

#: The line under the usage in ``govwatch --help``.
APP_HELP = "govwatch: 政府网站与政务新媒体常态化监测"

#: Every command: name -> (module, attribute, the one line ``govwatch --help`` shows).
#: The line is the command's docstring's first line (a test keeps them equal); the
#: attribute is a command function or, for a command group, a ``typer.Typer``.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": (
        "govwatch.commands.check",
        "check",
        "按检查指标评估已抓取的数据,新增、刷新或关闭问题。",
    ),
    "findings": (
        "govwatch.commands.findings",
        "findings",
        "查询发现的问题(默认列出未整改的问题)。",
    ),
    "extract": (
        "govwatch.commands.extract",
        "extract",
        "打印一个栏目列表页(或首页)能抽取出的信息条目(标题、链接、发布日期),以及抽取时的疑点。",
    ),
    "rules": (
        "govwatch.commands.rules",
        "rules",
        "列出全部检查规则(按当前评分规则文件),以及需要人工判断、未自动化的指标。",
    ),
    "probe": (
        "govwatch.commands.probe",
        "probe",
        "立即检测网站首页:能否打开、响应时间、IPv6 支持、HTTPS 证书。",
    ),
    "scores": (
        "govwatch.commands.scores",
        "scores",
        "每个网站、账号的得分与结论(合格/不合格),以及总体合格率。",
    ),
    "demo": (
        "govwatch.commands.demo",
        "demo",
        "启动内置演示网站(127.0.0.1),登记、抓取、检查,并打印发现的问题。",
    ),
    "status": (
        "govwatch.commands.status",
        "status",
        "每个网站和账号最近一次抓取的结果、下次计划时间,以及连续失败的目标。",
    ),
    "report": (
        "govwatch.commands.report",
        "report",
        "生成检查期间的检查报告(汇总、各单位发布量、网站与新媒体检查情况、通报草稿)。",
    ),
    "serve": ("govwatch.commands.serve", "serve", "启动只读的网页监测看板(需登录)。"),
    "targets": (
        "govwatch.commands.targets",
        "targets_app",
        "登记检查对象(单位、网站、栏目、新媒体账号)",
    ),
}

#: Errors commands raise on purpose, by the module that defines them, with their exit
#: code (None: the error's own ``exit_code``). Looked up in ``sys.modules`` so that
#: mapping them imports nothing: an error whose module was never imported was not raised.
REPORTED_ERRORS: tuple[tuple[str, str, int | None], ...] = (
    ("govwatch.errors", "CommandError", None),
    ("storage.registry", "UnknownTargetError", 2),
    ("settings", "InvalidSettingError", 2),
    ("storage.db", "DatabaseError", 1),
)


def reported_exit_code(error: BaseException) -> int | None:
    """The exit code of an error a command reports in one line; None for any other."""
    for module_name, class_name, exit_code in REPORTED_ERRORS:
        error_class = getattr(sys.modules.get(module_name), class_name, None)
        if error_class is not None and isinstance(error, error_class):
            return exit_code if exit_code is not None else int(error.exit_code)  # type: ignore[attr-defined]
    return None


def __getattr__(name: str) -> Any:
    """``app``, ``LazyCommands`` and ``load_command``, from :mod:`govwatch.cli_app`."""
    if name in ("app", "LazyCommands", "load_command"):
        from govwatch import cli_app

        return getattr(cli_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Run the command line; errors become a one-line message and an exit code."""
    if sys.argv[1:] in ([], ["--help"]):
        from govwatch.cli_help import print_help, program_name

        prog = program_name()
        if prog is not None:
            asked = bool(sys.argv[1:])
            commands = [(name, line) for name, (_, _, line) in COMMANDS.items()]
            print_help(APP_HELP, commands, prog, asked=asked)
            sys.exit(0 if asked else 2)  # as Typer: no command given is a usage error
    try:
        if sys.argv[1:2] == ["findings"]:
            from govwatch.findings_direct import list_findings_directly

            if list_findings_directly(sys.argv[2:]):
                return
        from govwatch.cli_app import app

        app(standalone_mode=True)
    except Exception as error:
        exit_code = reported_exit_code(error)
        if exit_code is None:
            raise
        from rich.console import Console
        from rich.markup import escape

        Console(stderr=True, soft_wrap=True).print(
            f"[bold red]错误:[/] {escape(str(error))}", highlight=False
        )
        sys.exit(exit_code)


if __name__ == "__main__":
    main()
