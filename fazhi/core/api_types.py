"""Types every API module shares: ids, paging, years, PATCH bodies, dict outputs.

Bounds here are what the database can hold, so an out-of-range value is
refused with 422 by the schema instead of overflowing in the database (a 500).
One place, used by every router: a new endpoint gets them by using the types.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import BaseModel, ValidationInfo, field_validator

#: Largest value of a BigAutoField (a signed 64-bit integer) on every database.
MAX_DB_ID = 2**63 - 1
#: Beyond any table Fazhi will hold; keeps offset + limit inside 64 bits.
MAX_OFFSET = 10**12
MAX_LIMIT = 500

Id = Annotated[int, Field(ge=1, le=MAX_DB_ID, description="A record's id.")]
Year = Annotated[int, Field(ge=1900, le=2200)]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]


class Pagination(LimitOffsetPagination):
    """``limit``/``offset`` paging with bounds (NINJA_PAGINATION_CLASS)."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class PatchIn(Schema):
    """Base of PATCH bodies: a field left out is unchanged, an explicit ``null``
    is refused unless the field is listed in ``nullable``."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        # Runs only for fields present in the body: defaults are not validated.
        if value is None and info.field_name not in cls.nullable:
            raise ValueError(_("This field cannot be empty (null); leave it out to keep it."))
        return value


class DictOut(BaseModel):
    """Base of a response schema whose view hands over plain dicts.

    Ninja's ``Schema`` reads every field through a getter that also resolves
    ORM attributes and callables: on a 50-row list that costs more than the
    query. A view that builds its rows as dicts declares its output with this
    base instead and keeps pydantic's validation at native speed.
    """
