"""Spreadsheets: reading agency files (xlsx, xls, ods, csv) and writing workbooks safely."""
