from typing import Literal

FileType = Literal["audio", "data", "image", "pcd", "text", "video"]

FILE_TYPE_VALUES: set[FileType] = {
    "audio",
    "data",
    "image",
    "pcd",
    "text",
    "video",
}


def check_file_type(value: str) -> FileType:
    if value in FILE_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FILE_TYPE_VALUES!r}")
