from typing import Literal

DataCollectionCategory = Literal["audio", "data", "image", "pcd", "text", "video"]

DATA_COLLECTION_CATEGORY_VALUES: set[DataCollectionCategory] = {
    "audio",
    "data",
    "image",
    "pcd",
    "text",
    "video",
}


def check_data_collection_category(value: str) -> DataCollectionCategory:
    if value in DATA_COLLECTION_CATEGORY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DATA_COLLECTION_CATEGORY_VALUES!r}"
    )
