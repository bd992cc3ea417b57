"""Voucher programmes, vouchers, their append-only ledger, order holds and related parties."""

from vouchers.models.audits import AuditRecord, AuditSample, ProgrammeBlock
from vouchers.models.claims import Claim, ClaimChange, ClaimDeduction, ClaimLine, ClaimProof
from vouchers.models.ledger import LedgerEntry, OrderVoucherHold
from vouchers.models.notices import NoticeCorrection, PublicNotice
from vouchers.models.parties import RelatedParty
from vouchers.models.programmes import Programme, ProgrammeChange, ProgrammeVersion
from vouchers.models.vouchers import Voucher, VoucherApplication

__all__ = [
    "NoticeCorrection",
    "PublicNotice",
    "AuditRecord",
    "AuditSample",
    "ProgrammeBlock",
    "Claim",
    "ClaimChange",
    "ClaimDeduction",
    "ClaimLine",
    "ClaimProof",
    "LedgerEntry",
    "OrderVoucherHold",
    "Programme",
    "ProgrammeChange",
    "ProgrammeVersion",
    "RelatedParty",
    "Voucher",
    "VoucherApplication",
]
