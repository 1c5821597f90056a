"""What every operation works with: the open application (:mod:`.context`) and the audit trail."""
