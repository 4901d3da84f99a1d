"""A held-out style county site for discovery tests: a 新闻中心 section page, a
信息公开目录 holding most columns, an 互动交流 section, a 政务新媒体 matrix page, a
single-page 机构职能 column, a dead link, and a service link that is not a column."""

from __future__ import annotations

from datetime import date, timedelta

from fakes.routed_server import RoutedServer

#: path -> (name, expected category, item titles, days between items); None titles: a
#: single page without a list.
COLUMNS: dict[str, tuple[str, str, list[str] | None, int]] = {
    "/xwzx/gzdt/": ("工作动态", "news", [f"县领导调研第{i}项工作" for i in range(8)], 2),
    "/xwzx/tpxw/": ("图片新闻", "news", [f"春耕生产现场{i}" for i in range(6)], 5),
    "/xwzx/xzdt/": ("乡镇动态", "news", [f"城关镇开展活动{i}" for i in range(6)], 3),
    "/zfxxgk/jgzn/": ("机构职能", "overview", None, 0),
    "/zfxxgk/ldxx/": ("领导信息", "overview", None, 0),
    "/zfxxgk/zcwj/": (
        "政策文件",
        "policy",
        [f"关于印发示范县第{i}项管理办法的通知(示政发〔2026〕{i}号)" for i in range(1, 6)],
        20,
    ),
    "/zfxxgk/zcjd/": (
        "政策解读",
        "policy",
        [f"《示范县第{i}项管理办法》解读" for i in range(4)],
        25,
    ),
    "/zfxxgk/tzgg/": ("通知公告", "notice", [f"关于第{i}批项目的公示" for i in range(5)], 15),
    "/zfxxgk/rsxx/": ("人事信息", "static", [f"县政府任免第{i}批工作人员" for i in range(3)], 90),
    "/zfxxgk/ghjh/": ("规划计划", "static", [f"示范县第{i}个专项规划" for i in range(3)], 120),
    "/zfxxgk/czyjs/": ("财政预决算", "static", [f"{2020 + i}年部门预算" for i in range(3)], 365),
    "/zfxxgk/ndbg/": (
        "政府信息公开年报",
        "other",
        [f"示范县{2021 + i}年政府信息公开工作年度报告" for i in range(3)],
        365,
    ),
    "/hdjl/xzxx/": ("县长信箱", "interaction", [f"关于道路维修的咨询{i}" for i in range(4)], 10),
    "/hdjl/zxft/": ("在线访谈", "interaction", [f"局长谈第{i}项民生工作" for i in range(3)], 60),
    "/hdjl/dczj/": ("调查征集", "interaction", [f"第{i}项规划意见征集" for i in range(3)], 80),
}
DEAD = ("/ztzl/", "专题专栏")
SECTIONS = {
    "/xwzx/": ("新闻中心", ["/xwzx/gzdt/", "/xwzx/tpxw/", "/xwzx/xzdt/"]),
    "/zfxxgk/": (
        "政府信息公开",
        [path for path in COLUMNS if path.startswith("/zfxxgk/")],
    ),
    "/hdjl/": ("互动交流", ["/hdjl/xzxx/", "/hdjl/zxft/", "/hdjl/dczj/"]),
}
MATRIX = """<table class="xmt"><tr><th>序号</th><th>账号名称</th><th>平台类型</th><th>主办单位</th></tr>
<tr><td>1</td><td><a href="https://weibo.com/u/6000000001">示范县发布</a></td><td>新浪微博</td><td>县委宣传部</td></tr>
<tr><td>2</td><td>示范县融媒</td><td>微信公众号</td><td>县融媒体中心</td></tr>
<tr><td>3</td><td><a href="https://www.douyin.com/user/MS4wLjABAAAAdemo">示范县应急</a></td><td>抖音</td><td>县应急管理局</td></tr>
</table>"""


def _page(title: str, body: str) -> str:
    nav = "".join(f'<li><a href="{path}">{name}</a></li>' for path, (name, _) in SECTIONS.items())
    return (
        f"<html><head><meta charset='utf-8'><title>{title} - 示范县人民政府</title></head><body>"
        f"<ul class='nav'><li><a href='/'>首页</a></li>{nav}"
        f"<li><a href='/xmt/'>政务新媒体</a></li><li><a href='/bsfw/'>办事服务</a></li>"
        f"<li><a href='{DEAD[0]}'>{DEAD[1]}</a></li></ul>"
        f"<div class='main'>{body}</div>"
        "<div class='footer'>网站标识码:3600000002 赣ICP备12345678号"
        "<a href='https://weibo.com/u/6000000001'>官方微博</a></div></body></html>"
    )


def _list(name: str, titles: list[str], step: int, today: date, path: str) -> str:
    rows = "".join(
        f"<li><a href='{path}t{(today - timedelta(days=1 + i * step)):%Y%m%d}_{i}.html'>{title}</a>"
        f"<span>{(today - timedelta(days=1 + i * step)):%Y-%m-%d}</span></li>"
        for i, title in enumerate(titles)
    )
    return f"<h2>{name}</h2><ul class='list'>{rows}</ul>"


def serve_discovery_site(server: RoutedServer, today: date) -> None:
    """Put the whole site on ``server``."""
    news = COLUMNS["/xwzx/gzdt/"]
    server.set_html("/", _page("首页", _list("要闻", news[2] or [], 2, today, "/xwzx/gzdt/")))
    for path, (name, children) in SECTIONS.items():
        links = "".join(f"<li><a href='{child}'>{COLUMNS[child][0]}</a></li>" for child in children)
        server.set_html(path, _page(name, f"<div class='side'><ul>{links}</ul></div>"))
    for path, (name, _, titles, step) in COLUMNS.items():
        if titles is None:
            body = f"<h2>{name}</h2><p>示范县人民政府是县级国家行政机关,负责全县行政工作。</p>"
        else:
            body = _list(name, titles, step, today, path)
        server.set_html(path, _page(name, body))
    server.set_html("/xmt/", _page("政务新媒体", MATRIX))
    server.set_html("/bsfw/", _page("办事服务", "<p>请前往政务服务网办理</p>"))
