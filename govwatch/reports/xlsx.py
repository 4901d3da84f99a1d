"""The report as an Excel workbook, laid out as offices lay out their attachments.

One sheet per table: a merged title row, the period under it, merged two-row headers,
thin borders, fixed column widths, the header frozen, below-quota cells filled red,
long text wrapped, notes under the table, printed landscape on one page wide. The
draft notice is a sheet of its own, one paragraph per row.
"""

from __future__ import annotations

import math
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from govwatch.reports.model import Notice, Report, Table
from govwatch.reports.periods import chinese_date

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
BELOW_QUOTA_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
BELOW_QUOTA_FONT = Font(name="宋体", size=11, bold=True, color="9C0006")
TITLE_FONT = Font(name="方正小标宋简体", size=16, bold=True)
HEADER_FONT = Font(name="黑体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=11)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT_WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)
#: Characters of Chinese text per line of a wrapped cell, per unit of column width.
CHARS_PER_WIDTH = 0.55


def _write_headers(sheet: Worksheet, table: Table, row: int) -> int:
    """Write the header row(s) starting at ``row``; returns the first data row."""
    columns = len(table.headers)
    if not table.header_groups:
        for column, header in enumerate(table.headers, start=1):
            sheet.cell(row=row, column=column, value=header)
        header_rows = [row]
    else:
        column = 1
        for label, span in table.header_groups:
            if span == 1 and label == table.headers[column - 1]:
                sheet.cell(row=row, column=column, value=label)
                sheet.merge_cells(
                    start_row=row, start_column=column, end_row=row + 1, end_column=column
                )
            else:
                sheet.cell(row=row, column=column, value=label)
                if span > 1:
                    sheet.merge_cells(
                        start_row=row,
                        start_column=column,
                        end_row=row,
                        end_column=column + span - 1,
                    )
                for offset in range(span):
                    sheet.cell(
                        row=row + 1,
                        column=column + offset,
                        value=table.headers[column - 1 + offset],
                    )
            column += span
        header_rows = [row, row + 1]
    for header_row in header_rows:
        for column in range(1, columns + 1):
            cell = sheet.cell(row=header_row, column=column)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = CENTER
            cell.border = BORDER
    return header_rows[-1] + 1


def _table_sheet(sheet: Worksheet, table: Table, subtitle: str) -> None:
    columns = len(table.headers)
    last_column = get_column_letter(columns)
    sheet["A1"] = table.title
    sheet["A1"].font = TITLE_FONT
    sheet["A1"].alignment = CENTER
    sheet.merge_cells(f"A1:{last_column}1")
    sheet.row_dimensions[1].height = 32
    sheet["A2"] = subtitle
    sheet["A2"].font = BODY_FONT
    sheet["A2"].alignment = Alignment(horizontal="right", vertical="center")
    sheet.merge_cells(f"A2:{last_column}2")
    first_data_row = _write_headers(sheet, table, 3)
    widths = table.widths or [14] * columns
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset, values in enumerate(table.rows):
        row = first_data_row + offset
        lines = 1
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if cell.data_type == "f":
                # Crawled text starting with "=" is text, never a formula (=HYPERLINK(...)).
                cell.data_type = "s"
            cell.border = BORDER
            cell.font = BODY_FONT
            wrapped = (column - 1) in table.wrap_columns
            cell.alignment = LEFT_WRAP if wrapped else CENTER
            if isinstance(value, float):
                cell.number_format = "0.0#"
            if (offset, column - 1) in table.marked:
                cell.fill = BELOW_QUOTA_FILL
                cell.font = BELOW_QUOTA_FONT
            if wrapped and isinstance(value, str):
                per_line = max(1, int(widths[column - 1] * CHARS_PER_WIDTH))
                lines = max(
                    lines,
                    sum(math.ceil(max(len(part), 1) / per_line) for part in value.split("\n")),
                )
        # openpyxl cannot auto-fit; size wrapped rows from their text.
        sheet.row_dimensions[row].height = max(20, 16 * lines)
    note_row = first_data_row + len(table.rows) + 1
    for note in table.notes:
        sheet.cell(row=note_row, column=1, value=note).alignment = LEFT_WRAP
        sheet.cell(row=note_row, column=1).font = BODY_FONT
        sheet.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=columns)
        sheet.row_dimensions[note_row].height = 30
        note_row += 1
    sheet.freeze_panes = sheet.cell(row=first_data_row, column=1)
    sheet.print_title_rows = f"3:{first_data_row - 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _notice_sheet(sheet: Worksheet, notice: Notice) -> None:
    sheet.column_dimensions["A"].width = 100
    sheet["A1"] = notice.title
    sheet["A1"].font = TITLE_FONT
    sheet["A1"].alignment = CENTER
    sheet.row_dimensions[1].height = 48
    for index, paragraph in enumerate(notice.paragraphs, start=2):
        cell = sheet.cell(row=index, column=1, value=paragraph)
        cell.font = Font(name="仿宋_GB2312", size=12)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        sheet.row_dimensions[index].height = 18 * math.ceil(max(len(paragraph), 1) / 52)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4


def report_workbook(report: Report) -> Workbook:
    """The workbook of a report: the summary, the notice, then one sheet per table."""
    workbook = Workbook()
    subtitle = (
        f"检查期间:{chinese_date(report.start)}至{chinese_date(report.end)}"
        f"    监测时间点:{chinese_date(report.end)}"
    )
    first = True
    for table in report.tables:
        sheet = workbook.active if first else workbook.create_sheet()
        assert sheet is not None
        sheet.title = table.sheet_name
        _table_sheet(sheet, table, subtitle)
        if first:
            _notice_sheet(workbook.create_sheet("通报(草稿)"), report.notice)
            first = False
    workbook.properties.title = report.title
    workbook.properties.creator = "govwatch"
    return workbook


def xlsx_bytes(report: Report) -> bytes:
    """The workbook as bytes (the dashboard's download)."""
    buffer = BytesIO()
    report_workbook(report).save(buffer)
    return buffer.getvalue()


def write_xlsx(report: Report, path: Path) -> list[Path]:
    """Write the workbook to ``path``."""
    report_workbook(report).save(path)
    return [path]
