"""Account use cases (TEMPORARY minimal version; the auth work completes it)."""
from sqlmodel import Session

from civic.auth.models import Account


def set_locale(session: Session, *, account_id: int, locale: str) -> None:
    """Remember the account's language preference."""
    account = session.get(Account, account_id)
    if account is not None:
        account.locale = locale
