"""Registration records: the flow's store, the record list, documents and edit locks."""
