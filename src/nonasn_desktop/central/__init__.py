"""The central office's side: the batch file format, verification, and ingest.

``format`` is shared with the office's export (one definition of the file for writer and
reader). ``trust`` reads the folder of trusted office keys, ``verify`` checks a batch file
layer by layer (signature, decryption, manifest, hashes, record shapes), ``ingest`` loads
verified batches into the central database (its own schema in ``models``; SQLite by default,
PostgreSQL by URL), and ``conflicts`` reports a NIK that arrived from two offices or batches.
"""
