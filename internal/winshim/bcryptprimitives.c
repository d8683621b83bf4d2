/*
 * bcryptprimitives.dll for Wine 8.0 (Debian bookworm), which lacks it: the
 * Go runtime (1.22 and later) loads ProcessPrng from it at start-up and
 * cannot run without it. This shim gives ProcessPrng over Wine's own
 * RtlGenRandom (advapi32's SystemFunction036). It is used only to run the
 * Windows test binaries under Wine (make wine); nothing ships it.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
