"""The plan as headquarters shapes it: loading (plan file, plan Excel), the snapshot that
every view and report reads, editing, target revisions, proposals, departments and their
reorganisation, and plan periods."""
