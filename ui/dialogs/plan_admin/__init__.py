"""Plan administration at headquarters (the 計画 menu and the 計画の管理 page): each step in a
dialog that shows what it will change before it is taken, with the same checks as the
command line (the core's functions do the work and refuse what they refuse there).

base.py          what the dialogs share: fields, the preview of the change, the confirm button
publish.py       版を公表 (publish an edition), 計画期間を延長 (extend the plan period)
new_period.py    次期計画を作成 (the next plan period, written off the UI thread with progress)
departments.py   部局の追加・名称変更・統合・廃止 (department reorganisation)
proposal.py      修正提案の承認・却下 (a department's proposed target)
remove_item.py   項目の削除・廃止 (delete what nothing refers to, else retire; undoable)
revisions.py     目標の修正履歴 and withdrawing a revision recorded by mistake (undoable)
"""
