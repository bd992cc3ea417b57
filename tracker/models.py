"""Models come with the voucher and tracker issues."""
