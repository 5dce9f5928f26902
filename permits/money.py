"""Amounts in their currency: the closed list of currencies, per-currency totals and the
formatting of an amount in the reader's language.

Arithmetic goes through py-moneyed's ``Money``, which refuses to add two currencies, so a
total that would mix USD and EUR raises instead of printing a wrong figure. Formatting uses
Babel's CLDR data (``format_currency``, ``format_decimal``, ``format_date``), so a French
licence reads ``180 000,00 €`` and never ``180,000.00 EUR``.

This module imports no model: the models import it for their choices.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from moneyed import Money, get_currency
from moneyed.classes import CurrencyDoesNotExist

# The currencies a goods line may be priced in: ISO 4217 codes, closed. ``GOODS_CURRENCIES``
# in the settings replaces the list; each code must be one py-moneyed knows.
DEFAULT_CURRENCIES = (
    "EUR",
    "USD",
    "GBP",
    "CHF",
    "JPY",
    "CAD",
    "AUD",
    "NZD",
    "SEK",
    "NOK",
    "DKK",
    "ISK",
    "PLN",
    "CZK",
    "HUF",
    "RON",
    "BGN",
    "TRY",
    "ILS",
    "AED",
    "SAR",
    "QAR",
    "KWD",
    "INR",
    "CNY",
    "KRW",
    "SGD",
    "HKD",
    "BRL",
    "MXN",
    "ZAR",
)

# Babel locales for the three languages of the Region's documents.
LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_IE"}


def currency_codes() -> tuple[str, ...]:
    return tuple(getattr(settings, "GOODS_CURRENCIES", None) or DEFAULT_CURRENCIES)


def currency_choices() -> list[tuple[str, str]]:
    """Choices for a currency field: ``("USD", "USD — US Dollar")``."""
    return [(code, f"{code} — {get_currency(code).name}") for code in currency_codes()]


def validate_currency(value: str) -> None:
    if value not in currency_codes():
        raise ValidationError(
            _(
                "%(value)s is not a currency this service accepts: give an ISO 4217 code "
                "such as EUR or USD."
            ),
            code="invalid_currency",
            params={"value": value},
        )
    try:
        get_currency(value)
    except CurrencyDoesNotExist as exc:  # a settings list with a code that is no currency
        raise ValidationError(_("Unknown currency."), code="invalid_currency") from exc


def totals(amounts: Iterable[tuple[Decimal, str]]) -> list[Money]:
    """One total per currency, in order of first appearance. Never one figure for two
    currencies: ``Money`` raises if code here ever added them."""
    sums: dict[str, Money] = {}
    for amount, currency in amounts:
        money = Money(amount, currency)
        sums[currency] = sums[currency] + money if currency in sums else money
    return list(sums.values())


def locale_for(language: str) -> str:
    return LOCALES.get(language, LOCALES["en"])


def format_money(amount: Decimal, currency: str, language: str) -> str:
    return format_currency(amount, currency, locale=locale_for(language))


def format_number(value: Decimal, language: str) -> str:
    # Quantities keep their decimals (up to three) and no trailing zeros.
    return format_decimal(value.normalize(), format="#,##0.###", locale=locale_for(language))


def format_day(value: date, language: str) -> str:
    return babel_format_date(value, format="long", locale=locale_for(language))
