"""A frame's schema as Datlake records it: column name to Arrow type name, in column order.

Polars, DuckDB and Arrow all speak Arrow, so one vocabulary serves the three engines; the
encodings an engine picks for itself (large or view strings, dictionaries) are spelled as the
plain type, so the same data has the same schema whichever engine wrote it.

>>> import pyarrow as pa
>>> arrow_schema(pa.schema([("id", pa.int64()), ("email", pa.large_string())]))
{'id': 'int64', 'email': 'string'}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["arrow_schema", "type_name"]


def arrow_schema(schema: pa.Schema) -> dict[str, str]:
    """`{column: type}` of an Arrow schema."""
    return {field.name: type_name(field.type) for field in schema}


def type_name(data_type: pa.DataType) -> str:
    """The Arrow name of `data_type`, with engine-chosen encodings spelled plainly.

    >>> import pyarrow as pa
    >>> type_name(pa.large_list(pa.dictionary(pa.int32(), pa.string_view())))
    'list<string>'
    """
    import pyarrow as pa

    types = pa.types
    if types.is_dictionary(data_type):
        return type_name(data_type.value_type)
    if types.is_large_string(data_type) or types.is_string_view(data_type):
        return "string"
    if types.is_large_binary(data_type) or types.is_binary_view(data_type):
        return "binary"
    if (
        types.is_list(data_type)
        or types.is_large_list(data_type)
        or types.is_list_view(data_type)
        or types.is_large_list_view(data_type)
    ):
        return f"list<{type_name(data_type.value_type)}>"
    if types.is_struct(data_type):
        fields = (data_type.field(i) for i in range(data_type.num_fields))
        return "struct<" + ", ".join(f"{f.name}: {type_name(f.type)}" for f in fields) + ">"
    return str(data_type)
