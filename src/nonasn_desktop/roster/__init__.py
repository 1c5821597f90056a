"""The Admin Instansi list: entries, column dictionary, import of agency sheets, template."""
