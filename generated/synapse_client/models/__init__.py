"""Contains all the data models used in inputs/outputs"""

from .chunk_upload import ChunkUpload
from .chunked_upload import ChunkedUpload
from .chunked_upload_complete import ChunkedUploadComplete
from .data_collection import DataCollection
from .data_file import DataFile
from .data_file_from_chunked_upload import DataFileFromChunkedUpload
from .data_file_upload import DataFileUpload
from .data_unit import DataUnit
from .data_unit_create import DataUnitCreate
from .data_unit_create_files import DataUnitCreateFiles
from .data_unit_create_meta import DataUnitCreateMeta
from .data_unit_file import DataUnitFile
from .data_unit_file_ref import DataUnitFileRef
from .data_unit_files import DataUnitFiles
from .data_unit_meta import DataUnitMeta
from .error import Error
from .file_specification import FileSpecification
from .file_specification_configuration import FileSpecificationConfiguration
from .file_type import FileType
from .function_type import FunctionType
from .paginated_data_collection_list import PaginatedDataCollectionList
from .paginated_data_unit_list import PaginatedDataUnitList
from .task import Task
from .task_create_request import TaskCreateRequest
from .task_data_item import TaskDataItem
from .verify_checksums_request import VerifyChecksumsRequest
from .verify_checksums_response import VerifyChecksumsResponse

__all__ = (
    "ChunkUpload",
    "ChunkedUpload",
    "ChunkedUploadComplete",
    "DataCollection",
    "DataFile",
    "DataFileFromChunkedUpload",
    "DataFileUpload",
    "DataUnit",
    "DataUnitCreate",
    "DataUnitCreateFiles",
    "DataUnitCreateMeta",
    "DataUnitFile",
    "DataUnitFileRef",
    "DataUnitFiles",
    "DataUnitMeta",
    "Error",
    "FileSpecification",
    "FileSpecificationConfiguration",
    "FileType",
    "FunctionType",
    "PaginatedDataCollectionList",
    "PaginatedDataUnitList",
    "Task",
    "TaskCreateRequest",
    "TaskDataItem",
    "VerifyChecksumsRequest",
    "VerifyChecksumsResponse",
)
