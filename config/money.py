"""Money is integer fen; ratios are Decimal; one rounding rule; ¥ only at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100


def round_fen(amount: Decimal | int | float) -> int:
    """Round a fen amount half-up to a whole fen."""
    return int(Decimal(str(amount)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def apply_ratio(amount_fen: int, ratio: Decimal) -> int:
    return round_fen(Decimal(amount_fen) * ratio)


def format_fen(amount_fen: int | None) -> str:
    """``123456`` → ``¥1,234.56``."""
    if amount_fen is None:
        return ""
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(int(amount_fen)), FEN_PER_YUAN)
    return f"{sign}¥{yuan:,}.{fen:02d}"


def yuan_to_fen(value: str | Decimal | int) -> int:
    """Parse a yuan amount typed by a person (``1,234.5``) into fen; ValueError when not money."""
    try:
        amount = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return round_fen(amount * FEN_PER_YUAN)
