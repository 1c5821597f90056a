"""The printed papers (reportlab, Qt-free) and PDF page rendering (pypdfium2).

- :mod:`~nonasn_desktop.printing.registration_info`: step 12, "Informasi Pendaftaran";
- :mod:`~nonasn_desktop.printing.account_card`: step 24, "Kartu Informasi Akun";
- :mod:`~nonasn_desktop.printing.common`: letterhead, footer, QR code, photo, one-canvas writer;
- :mod:`~nonasn_desktop.printing.fonts`: the bundled fonts;
- :mod:`~nonasn_desktop.printing.pages`: PDF pages to pictures, for previews and printing.

Reading registrations from the database is :mod:`nonasn_desktop.printing.printouts`' job.
"""
