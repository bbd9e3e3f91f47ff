"""ORM models of the procurement service; its tables come with its issue."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from municipal_shared.kit.database import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
