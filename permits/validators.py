from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.be import vat
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import (
    ValidationError as StdnumError,
)

from .compliance.names import bidi_controls_in


def compact_enterprise_number(value: str) -> str:
    """The ten digits of a Belgian enterprise (KBO/BCE) number, checksum verified."""
    try:
        return vat.validate(value)
    except InvalidChecksum as exc:
        raise ValidationError(
            _("This enterprise number's check digits are wrong."), code="checksum"
        ) from exc
    except (InvalidFormat, InvalidLength) as exc:
        raise ValidationError(
            _("An enterprise number has ten digits, such as 0403.019.261."), code="format"
        ) from exc
    except StdnumError as exc:
        raise ValidationError(_("This is not a valid enterprise number."), code="invalid") from exc


def validate_enterprise_number(value: str) -> None:
    compact_enterprise_number(value)


def format_enterprise_number(value: str) -> str:
    digits = vat.compact(value)
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}" if len(digits) == 10 else value


def validate_eori(value: str) -> None:
    """An EORI number: the issuing Member State's two letters and up to 15 characters."""
    if not re.fullmatch(r"[A-Z]{2}[0-9A-Z]{1,15}", value or ""):
        raise ValidationError(
            _(
                "An EORI number is two capital letters and up to 15 letters or digits, e.g. "
                "BE0403019261."
            ),
            code="eori",
        )


def validate_cn_code(value: str) -> None:
    """A commodity code of the Combined Nomenclature: eight digits."""
    if not re.fullmatch(r"[0-9]{8}", value or ""):
        raise ValidationError(
            _("A CN commodity code has exactly eight digits, e.g. 90131000."), code="cn_code"
        )


def validate_customs_office(value: str) -> None:
    """A customs office reference number: country letters and six characters (BE212000)."""
    if not re.fullmatch(r"[A-Z]{2}[0-9A-Z]{6}", value or ""):
        raise ValidationError(
            _(
                "A customs office reference number is two letters and six characters, e.g. "
                "BE212000."
            ),
            code="customs_office",
        )


def validate_no_bidi_controls(value: str) -> None:
    """A name holding a bidi override or embedding may not read as it is stored: refused, so
    what the case manager sees is what the screening matches."""
    found = bidi_controls_in(value)
    if found:
        raise ValidationError(
            _(
                "This name holds invisible characters that change the reading direction (%s): "
                "type it again without them."
            )
            % ", ".join(found),
            code="bidi_control",
        )
