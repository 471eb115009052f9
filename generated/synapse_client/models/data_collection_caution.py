from typing import Literal

DataCollectionCaution = Literal["", "sensitive_content"]

DATA_COLLECTION_CAUTION_VALUES: set[DataCollectionCaution] = {
    "",
    "sensitive_content",
}


def check_data_collection_caution(value: str) -> DataCollectionCaution:
    if value in DATA_COLLECTION_CAUTION_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DATA_COLLECTION_CAUTION_VALUES!r}"
    )
