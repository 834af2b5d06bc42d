"""Files that come from and go to people: bounds checked on an untrusted workbook before any
parser sees it, and files written whole or not at all."""
