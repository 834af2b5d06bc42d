"""The consolidated report (issue 5): grades, charts, the workbook in the seed's layout, PDF.

Public API (import from the submodules; this package imports nothing heavy by itself):

- `summary.build_report_data(session, fiscal_year=None) -> ReportData`: the plan snapshot, the
  grade of every KPI and fiscal year, counts per project, which returns arrived;
- `grading.grade_kpi(kpi, fiscal_year, scheme, manual) -> Grade` and `grade_figures(...)`:
  the rules; `GradeScheme`, `DEFAULT_SCHEME`, `UNKNOWN`, `NOT_ASSESSABLE`;
- `grade_store.set_manual_grade(db, kpi_code, fiscal_year, grade, reason, part="")`,
  `set_scheme(db, scheme)`, `load_scheme(session)`, `parse_levels("A:100,B:80,C:50,D")`;
- `workbook.write_report(data, path, progress=None) -> ReportResult`: the xlsx, atomically;
- `pdf.write_report_pdf(data, path) -> pages`;
- `charts.draw_kpi_chart(ax, kpi, grades, fiscal_year, scheme)`,
  `overview.draw_overviews(figure, data, box)`, `charts.ChartRenderer` (PNG bytes),
  `charts.chart_style()` (the Japanese font list, without touching global rcParams).
"""
