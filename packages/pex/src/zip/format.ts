/** Zip record signatures, sizes and limits (APPNOTE 6.3.10). */
export const LOCAL_HEADER_SIG = 0x04034b50;
export const CENTRAL_HEADER_SIG = 0x02014b50;
export const EOCD_SIG = 0x06054b50;
export const ZIP64_EOCD_SIG = 0x06064b50;
export const ZIP64_LOCATOR_SIG = 0x07064b50;
export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const EOCD_SIZE = 22;
export const ZIP64_EOCD_SIZE = 56;
export const ZIP64_LOCATOR_SIZE = 20;
export const ZIP64_EXTRA_ID = 0x0001;
/** A 32-bit size/offset field at or above this value needs ZIP64. */
export const MAX_32 = 0xffffffff;
/** An entry count at or above this value needs ZIP64. */
export const MAX_16 = 0xffff;
export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;
/** General purpose flag bit 11: the name is UTF-8. */
export const FLAG_UTF8 = 0x0800;
/** Version made by: Unix (3), spec 2.0. */
export const MADE_BY_UNIX = (3 << 8) | 20;
/** External attributes: Unix mode in the high half (plus the MS-DOS directory bit for dirs). */
export const ATTR_FILE = (0o100644 << 16) >>> 0;
export const ATTR_EXECUTABLE = (0o100755 << 16) >>> 0;
export const ATTR_DIRECTORY = ((0o40755 << 16) | 0x10) >>> 0;
