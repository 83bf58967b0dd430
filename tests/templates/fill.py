"""Fill an `ftc template` workbook the way a provincial data officer would, with openpyxl, and
describe what the template holds (validations, protection, frozen panes, widths) as JSON.

    python3 fill.py describe TEMPLATE.xlsx
    python3 fill.py fill TEMPLATE.xlsx OUT.xlsx

Counts are derived from each commune code (so the test knows them); budget lines are three
fixed lines. Used by tests/templates.rs.
"""
import datetime
import json
import sys

import openpyxl


def describe(path):
    wb = openpyxl.load_workbook(path)
    out = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        dv = []
        for v in ws.data_validations.dataValidation:
            dv.append({"type": v.type, "operator": v.operator, "formula1": v.formula1, "sqref": str(v.sqref)})
        widths = {k: d.width for k, d in ws.column_dimensions.items() if d.width}
        out[ws.title] = {
            "protected": bool(ws.protection.sheet),
            "freeze": ws.freeze_panes,
            "validations": dv,
            "widths": widths,
            "header": [c.value for c in ws[1]],
            "locked_a2": ws["A2"].protection.locked,
            "locked_e2": ws["E2"].protection.locked if ws.max_column >= 5 else None,
            "rows": ws.max_row,
        }
    print(json.dumps(out, ensure_ascii=False, default=str))


def counts(code):
    n = int(code[-2:]) + int(code[2:4])
    plhiv = 40 + 3 * n
    diagnosed = plhiv - 2 - n % 3
    on_art = diagnosed - 1 - n % 2
    tested = on_art - n % 4
    suppressed = tested - 1 - n % 2
    return [plhiv, diagnosed, on_art, tested, suppressed]


def fill(path, out):
    wb = openpyxl.load_workbook(path)
    cover = wb["Cover"]
    cover["B6"] = datetime.date(2026, 10, 12)
    cover["B7"] = "Sokha Chan, 012 345 678"
    if "Cascade" in wb.sheetnames:
        ws = wb["Cascade"]
        for row in ws.iter_rows(min_row=2):
            code = row[0].value
            if not code:
                break
            for cell, v in zip(row[4:9], counts(code)):
                cell.value = v
    if "Budget" in wb.sheetnames:
        ws = wb["Budget"]
        communes = [r[0].value for r in wb["Communes"].iter_rows(min_row=2)]
        lines = [
            (communes[0], "Provincial AIDS committee coordination", "management", "RGC", "USD", 12000, 9000, 8000),
            (communes[1], "Outreach for HIV testing", "testing", "CIP", "KHR", 8200000, 6150000, 5000000),
            (communes[2], "Community ART adherence support", "community", "Global Fund", "USD", 5000, 4000, 3900.5),
        ]
        for r, line in enumerate(lines, start=2):
            for c, v in enumerate(line, start=1):
                ws.cell(row=r, column=c, value=v)
    wb.save(out)


if __name__ == "__main__":
    if sys.argv[1] == "describe":
        describe(sys.argv[2])
    else:
        fill(sys.argv[2], sys.argv[3])
