"""Reports for the office: the recap workbook."""
