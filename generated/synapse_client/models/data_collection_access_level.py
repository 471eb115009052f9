from typing import Literal

DataCollectionAccessLevel = Literal["partially_public", "private", "public"]

DATA_COLLECTION_ACCESS_LEVEL_VALUES: set[DataCollectionAccessLevel] = {
    "partially_public",
    "private",
    "public",
}


def check_data_collection_access_level(value: str) -> DataCollectionAccessLevel:
    if value in DATA_COLLECTION_ACCESS_LEVEL_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DATA_COLLECTION_ACCESS_LEVEL_VALUES!r}"
    )
