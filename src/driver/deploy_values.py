"""Values the deployed release's models would write: one per mapped column, by its type.

Used by deploy_probe.py to insert and update a row the way the ORM would. A value is what a
model of that type accepts: a string as long as ``String(n)`` allows (a narrowed column then
fails as it would for the application), the first label of an ``Enum``, a UUID for a UUID.
A type with no obvious value gives ``SKIP``: the column is left out, and an error it causes is
not blamed on the migration.
"""

import datetime
import decimal
import random
import string
import uuid

SKIP = object()

_RANDOM = random.Random(20241208)
_LETTERS = string.ascii_lowercase


def _text(length):
    n = length if isinstance(length, int) and 0 < length <= 4096 else 12
    return "".join(_RANDOM.choice(_LETTERS) for _ in range(n))


def _python_type(type_):
    try:
        return type_.python_type
    except (NotImplementedError, AttributeError):
        return None


def value_for(column):
    """A value the model could send for ``column``, or SKIP."""
    type_ = column.type
    name = type(type_).__name__.upper()
    enums = getattr(type_, "enums", None)
    if enums:
        return enums[0]
    if "UUID" in name:
        as_uuid = getattr(type_, "as_uuid", True)
        return uuid.UUID(int=_RANDOM.getrandbits(128), version=4) if as_uuid else str(uuid.uuid4())
    py = _python_type(type_)
    if py is bool:
        return True
    if py is int:
        return _RANDOM.randint(1, 30000)
    if py is float:
        return 1.5
    if py is decimal.Decimal:
        return decimal.Decimal("1")
    if py is str:
        return _text(getattr(type_, "length", None))
    if py is datetime.datetime:
        if getattr(type_, "timezone", False):
            return datetime.datetime.now(datetime.timezone.utc)
        return datetime.datetime.now()
    if py is datetime.date:
        return datetime.date.today()
    if py is datetime.time:
        return datetime.time(12, 0)
    if py is datetime.timedelta:
        return datetime.timedelta(seconds=1)
    if py is dict:
        return {}
    if py is list:
        return []
    if py is bytes:
        return b"x"
    return SKIP


def written_by_database(column, autoincrement_column):
    """Columns an ORM insert leaves to the database or to SQLAlchemy's own defaults."""
    if column is autoincrement_column:
        return True
    if getattr(column, "computed", None) is not None or getattr(column, "identity", None) is not None:
        return True
    # A Python-side default (scalar, callable, SQL expression, Sequence): SQLAlchemy applies it.
    if column.default is not None:
        return True
    return column.server_default is not None
