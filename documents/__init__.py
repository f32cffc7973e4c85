"""The plan as official documents: แบบ ผด.01, ผด.02, ผด.02/1, ส่วนที่ 1 บทนำ and the announcement.

One model of each document (``documents.model``) is built once — from a draft version's
frozen snapshot, from an edition in force, or from the consolidated plan — by
``documents.load``, and rendered three ways: XLSX for officials to edit (``xlsx``), PDF for
posting and printing (``pdf``, typst with the Sarabun font), and a phone page for committee
members (``phone``). ``store`` renders each one once and keeps it under
``PLANBOT_DOCUMENTS_DIR``. This package imports ``models`` only.
"""
