"""Contains all the data models used in inputs/outputs"""

from .chunk_upload import ChunkUpload
from .chunked_upload import ChunkedUpload
from .chunked_upload_complete import ChunkedUploadComplete
from .confirm_upload_file import ConfirmUploadFile
from .confirm_upload_multipart import ConfirmUploadMultipart
from .confirm_upload_part import ConfirmUploadPart
from .confirm_upload_request import ConfirmUploadRequest
from .confirm_upload_response import ConfirmUploadResponse
from .confirm_upload_result import ConfirmUploadResult
from .data_collection import DataCollection
from .data_collection_access_level import DataCollectionAccessLevel
from .data_collection_category import DataCollectionCategory
from .data_collection_caution import DataCollectionCaution
from .data_collection_file_specification_v2 import DataCollectionFileSpecificationV2
from .data_collection_v2_detail import DataCollectionV2Detail
from .data_collection_v2_list import DataCollectionV2List
from .data_file import DataFile
from .data_file_from_chunked_upload import DataFileFromChunkedUpload
from .data_file_upload import DataFileUpload
from .data_file_v2_detail import DataFileV2Detail
from .data_file_v2_list import DataFileV2List
from .data_unit import DataUnit
from .data_unit_create import DataUnitCreate
from .data_unit_create_files import DataUnitCreateFiles
from .data_unit_create_meta import DataUnitCreateMeta
from .data_unit_file import DataUnitFile
from .data_unit_file_ref import DataUnitFileRef
from .data_unit_files import DataUnitFiles
from .data_unit_meta import DataUnitMeta
from .data_unit_v2_bulk_create_file import DataUnitV2BulkCreateFile
from .data_unit_v2_bulk_create_item import DataUnitV2BulkCreateItem
from .data_unit_v2_bulk_create_item_files import DataUnitV2BulkCreateItemFiles
from .data_unit_v2_bulk_create_item_meta import DataUnitV2BulkCreateItemMeta
from .data_unit_v2_bulk_create_request import DataUnitV2BulkCreateRequest
from .data_unit_v2_bulk_create_result import DataUnitV2BulkCreateResult
from .data_unit_v2_bulk_create_result_item import DataUnitV2BulkCreateResultItem
from .data_unit_v2_detail import DataUnitV2Detail
from .data_unit_v2_list import DataUnitV2List
from .error import Error
from .file_specification import FileSpecification
from .file_specification_configuration import FileSpecificationConfiguration
from .file_type import FileType
from .finalize_upload_file import FinalizeUploadFile
from .finalize_upload_multipart import FinalizeUploadMultipart
from .finalize_upload_part import FinalizeUploadPart
from .finalize_upload_request import FinalizeUploadRequest
from .finalize_upload_response import FinalizeUploadResponse
from .finalize_upload_result import FinalizeUploadResult
from .function_type import FunctionType
from .paginated_data_collection_list import PaginatedDataCollectionList
from .paginated_data_unit_list import PaginatedDataUnitList
from .presigned_upload_file import PresignedUploadFile
from .presigned_upload_file_request import PresignedUploadFileRequest
from .presigned_upload_multipart import PresignedUploadMultipart
from .presigned_upload_part import PresignedUploadPart
from .presigned_upload_request import PresignedUploadRequest
from .presigned_upload_response import PresignedUploadResponse
from .presigned_upload_v1_file_request import PresignedUploadV1FileRequest
from .presigned_upload_v1_request import PresignedUploadV1Request
from .task import Task
from .task_create_request import TaskCreateRequest
from .task_data_item import TaskDataItem
from .task_v2_bulk_create_request import TaskV2BulkCreateRequest
from .task_v2_bulk_create_result import TaskV2BulkCreateResult
from .v2_data_collection_detail_envelope import V2DataCollectionDetailEnvelope
from .v2_data_collection_list_envelope import V2DataCollectionListEnvelope
from .v2_data_file_detail_envelope import V2DataFileDetailEnvelope
from .v2_data_file_list_envelope import V2DataFileListEnvelope
from .v2_data_unit_bulk_create_envelope import V2DataUnitBulkCreateEnvelope
from .v2_data_unit_detail_envelope import V2DataUnitDetailEnvelope
from .v2_data_unit_list_envelope import V2DataUnitListEnvelope
from .v2_error import V2Error
from .v2_error_detail import V2ErrorDetail
from .v2_error_envelope import V2ErrorEnvelope
from .v2_finalize_upload_envelope import V2FinalizeUploadEnvelope
from .v2_list_meta import V2ListMeta
from .v2_meta import V2Meta
from .v2_pagination import V2Pagination
from .v2_presigned_upload_envelope import V2PresignedUploadEnvelope
from .v2_task_bulk_create_envelope import V2TaskBulkCreateEnvelope
from .verify_checksums_request import VerifyChecksumsRequest
from .verify_checksums_response import VerifyChecksumsResponse

__all__ = (
    "ChunkUpload",
    "ChunkedUpload",
    "ChunkedUploadComplete",
    "ConfirmUploadFile",
    "ConfirmUploadMultipart",
    "ConfirmUploadPart",
    "ConfirmUploadRequest",
    "ConfirmUploadResponse",
    "ConfirmUploadResult",
    "DataCollection",
    "DataCollectionAccessLevel",
    "DataCollectionCategory",
    "DataCollectionCaution",
    "DataCollectionFileSpecificationV2",
    "DataCollectionV2Detail",
    "DataCollectionV2List",
    "DataFile",
    "DataFileFromChunkedUpload",
    "DataFileUpload",
    "DataFileV2Detail",
    "DataFileV2List",
    "DataUnit",
    "DataUnitCreate",
    "DataUnitCreateFiles",
    "DataUnitCreateMeta",
    "DataUnitFile",
    "DataUnitFileRef",
    "DataUnitFiles",
    "DataUnitMeta",
    "DataUnitV2BulkCreateFile",
    "DataUnitV2BulkCreateItem",
    "DataUnitV2BulkCreateItemFiles",
    "DataUnitV2BulkCreateItemMeta",
    "DataUnitV2BulkCreateRequest",
    "DataUnitV2BulkCreateResult",
    "DataUnitV2BulkCreateResultItem",
    "DataUnitV2Detail",
    "DataUnitV2List",
    "Error",
    "FileSpecification",
    "FileSpecificationConfiguration",
    "FileType",
    "FinalizeUploadFile",
    "FinalizeUploadMultipart",
    "FinalizeUploadPart",
    "FinalizeUploadRequest",
    "FinalizeUploadResponse",
    "FinalizeUploadResult",
    "FunctionType",
    "PaginatedDataCollectionList",
    "PaginatedDataUnitList",
    "PresignedUploadFile",
    "PresignedUploadFileRequest",
    "PresignedUploadMultipart",
    "PresignedUploadPart",
    "PresignedUploadRequest",
    "PresignedUploadResponse",
    "PresignedUploadV1FileRequest",
    "PresignedUploadV1Request",
    "Task",
    "TaskCreateRequest",
    "TaskDataItem",
    "TaskV2BulkCreateRequest",
    "TaskV2BulkCreateResult",
    "V2DataCollectionDetailEnvelope",
    "V2DataCollectionListEnvelope",
    "V2DataFileDetailEnvelope",
    "V2DataFileListEnvelope",
    "V2DataUnitBulkCreateEnvelope",
    "V2DataUnitDetailEnvelope",
    "V2DataUnitListEnvelope",
    "V2Error",
    "V2ErrorDetail",
    "V2ErrorEnvelope",
    "V2FinalizeUploadEnvelope",
    "V2ListMeta",
    "V2Meta",
    "V2Pagination",
    "V2PresignedUploadEnvelope",
    "V2TaskBulkCreateEnvelope",
    "VerifyChecksumsRequest",
    "VerifyChecksumsResponse",
)
