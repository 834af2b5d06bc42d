"""The database: engine and sessions, the typed models, schema upgrades, backups, the audit
log and its queries, the user's folders, and finding rows by code. Nothing here knows about
returns, reports or the plan's rules; every other package builds on this one."""
