"""The consolidated report (issue 5): grades, charts, the workbook in the seed's layout, PDF.

Public API (import from the submodules; this package imports nothing heavy by itself):

- `summary.build_report_data(session, fiscal_year=None) -> ReportData`: the plan snapshot, the
  grade of every KPI and fiscal year, counts per project, which returns arrived;
- `grading.grade_kpi(kpi, fiscal_year, scheme, manual) -> Grade` and `grade_figures(...)`:
  the rules; `GradeScheme`, `DEFAULT_SCHEME`, `UNKNOWN`, `NOT_ASSESSABLE`;
- `grade_store.set_manual_grade(db, kpi_code, fiscal_year, grade, reason, part="")`,
  `set_scheme(db, scheme)`, `load_scheme(session)`, `parse_levels("A:100,B:80,C:50,D")`;
- `making.make_report(data, xlsx, pdf=None, comparison=None, progress=None) -> MadeReport`:
  the workbook and the PDF as counted steps (`steps.ReportStep`), cancellable
  (`steps.ReportCancelled`), neither file left half-written;
- `workbook.write_report(data, path, step=...) -> ReportResult`: the xlsx, atomically;
- `pdf.write_report_pdf(data, path, page_done=None) -> pages`: searchable text, TrueType fonts
  (`fonts.pdf_rc`);
- `comparison.build_comparison(session, fiscal_year, since="year"|"return", department=None)`:
  前年度比較, and `comparison_sheet.write_comparison_sheet(ws, comparison, wording)`;
- `wording.Wording(language)`: the fixed text in Japanese or English
  (`build_report_data(..., language="en")`);
- `charts.draw_kpi_chart(ax, kpi, grades, fiscal_year, scheme)`,
  `overview.draw_overviews(figure, data, box)`, `charts.ChartRenderer` (PNG bytes),
  `charts.chart_style()` (the Japanese font list, without touching global rcParams).
"""
