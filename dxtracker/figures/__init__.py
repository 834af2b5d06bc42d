"""What people type and what it means: figures (parse and format), fiscal years, a KPI's
targets and actuals for a year, and the entry of actuals and measure progress."""
