#!/usr/bin/env python3
"""Make one symbol-version need of an ELF64 shared library weak (python3 stdlib only).

TorchSharp-cpu 0.107.0's libLibTorchSharp.so needs GLIBCXX_3.4.32 (libstdc++ of GCC 13) only for
the undefined symbol `std::ios_base_library_init`, which GCC 13's <iostream> references with a
bare `.globl` and no relocation: nothing ever binds or calls it. Debian 12's libstdc++ stops at
GLIBCXX_3.4.30, so ld.so refuses the whole library ("version `GLIBCXX_3.4.32' not found") and
TorchSharp reports that as a misleading "doesn't contain a reference to libtorch-cpu-linux-x64".

This sets VER_FLG_WEAK (0x2) on the Vernaux entry of that version in `.gnu.version_r`. ld.so
(elf/dl-version.c) then tolerates the version's absence: the rest of the library's version needs
are still checked as before. The script refuses to patch when any relocation refers to a symbol of
that version (then the symbol would really be bound, and weakening the need would only move the
failure to run time).

Usage: patch-libtorchsharp.py [--version GLIBCXX_3.4.32] FILE...
Idempotent: a file whose need is already weak, or that has no such need, is left alone. The file is
rewritten by replacement (a new file renamed over it), never in place, so a hard or symbolic link
to the NuGet cache is never written through.
"""
import argparse
import os
import struct
import sys
import tempfile

SHT_REL = 9
SHT_RELA = 4
SHT_DYNSYM = 11
SHT_GNU_VERNEED = 0x6FFFFFFE
SHT_GNU_VERSYM = 0x6FFFFFFF
SHN_XINDEX = 0xFFFF
VER_FLG_WEAK = 0x2


class ElfError(Exception):
    pass


def read_cstr(data, offset):
    end = data.index(b"\0", offset)
    return data[offset:end].decode("ascii", "replace")


def sections(data):
    """The section headers of an ELF64 file as dicts, after checking the identification."""
    if data[:4] != b"\x7fELF":
        raise ElfError("not an ELF file")
    if data[4] != 2:
        raise ElfError("not ELF64 (EI_CLASS %d)" % data[4])
    if data[5] not in (1, 2):
        raise ElfError("unknown byte order (EI_DATA %d)" % data[5])
    end = "<" if data[5] == 1 else ">"
    (_, _, _, _, _, _, e_shoff, _, _, _, _, e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from(
        end + "16sHHIQQQIHHHHHH", data, 0)
    if e_shoff == 0:
        raise ElfError("no section header table")
    if e_shentsize != 64:
        raise ElfError("unexpected section header size %d" % e_shentsize)

    def header(i):
        off = e_shoff + i * e_shentsize
        if off + 64 > len(data):
            raise ElfError("section header %d beyond the end of the file" % i)
        f = struct.unpack_from(end + "IIQQQQIIQQ", data, off)
        return dict(name=f[0], type=f[1], flags=f[2], addr=f[3], offset=f[4], size=f[5],
                    link=f[6], info=f[7], addralign=f[8], entsize=f[9], index=i)

    # Extended numbering: the real count and string-table index live in section 0.
    first = header(0)
    count = e_shnum if e_shnum != 0 else first["size"]
    strndx = e_shstrndx if e_shstrndx != SHN_XINDEX else first["link"]
    result = [header(i) for i in range(count)]
    names = result[strndx]
    for s in result:
        s["label"] = read_cstr(data, names["offset"] + s["name"])
    return end, result


def patch(data, version):
    """Returns (message, changed) and sets the weak flag in `data` (a bytearray) when needed."""
    end, secs = sections(data)
    verneed = [s for s in secs if s["type"] == SHT_GNU_VERNEED]
    if not verneed:
        return "no .gnu.version_r section: nothing to do", False
    vn = verneed[0]
    strtab = secs[vn["link"]]  # the names' string table (.dynstr), per sh_link

    found = []  # (offset of the Vernaux entry, its flags, its version index, required file)
    off = vn["offset"]
    for _ in range(vn["info"] or 1 << 30):  # sh_info = number of Verneed entries
        vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from(end + "HHIII", data, off)
        if vn_version != 1:
            raise ElfError("unknown Verneed version %d at 0x%x" % (vn_version, off))
        file_name = read_cstr(data, strtab["offset"] + vn_file)
        aux = off + vn_aux
        for _ in range(vn_cnt):
            _hash, flags, other, name, vna_next = struct.unpack_from(end + "IHHII", data, aux)
            if read_cstr(data, strtab["offset"] + name) == version:
                found.append((aux, flags, other, file_name))
            if vna_next == 0:
                break
            aux += vna_next
        if vn_next == 0:
            break
        off += vn_next
    if not found:
        return "no need of %s: nothing to do" % version, False

    check_unbound(data, end, secs, version, {other for _, _, other, _ in found})

    changed = False
    for aux, flags, other, file_name in found:
        if flags & VER_FLG_WEAK:
            continue
        struct.pack_into(end + "H", data, aux + 4, flags | VER_FLG_WEAK)  # vna_flags
        changed = True
    file_names = ", ".join(sorted({f for _, _, _, f in found}))
    if changed:
        return "made the need of %s (from %s) weak" % (version, file_names), True
    return "the need of %s (from %s) is already weak" % (version, file_names), False


def check_unbound(data, end, secs, version, indices):
    """Refuses when a relocation refers to a dynamic symbol of one of the version indices."""
    versym = [s for s in secs if s["type"] == SHT_GNU_VERSYM]
    dynsym = [s for s in secs if s["type"] == SHT_DYNSYM]
    if not versym or not dynsym:
        raise ElfError("version needs without .gnu.version or .dynsym")
    vs = versym[0]
    count = vs["size"] // 2
    symbols = {i for i in range(count)
               if struct.unpack_from(end + "H", data, vs["offset"] + 2 * i)[0] & 0x7FFF in indices}
    ds = dynsym[0]
    symstr = secs[ds["link"]]
    for s in secs:
        if s["type"] not in (SHT_RELA, SHT_REL) or secs[s["link"]]["type"] != SHT_DYNSYM:
            continue
        entsize = s["entsize"] or (24 if s["type"] == SHT_RELA else 16)
        for off in range(s["offset"], s["offset"] + s["size"], entsize):
            (r_info,) = struct.unpack_from(end + "Q", data, off + 8)
            if r_info >> 32 in symbols:
                (st_name,) = struct.unpack_from(end + "I", data, ds["offset"] + 24 * (r_info >> 32))
                raise ElfError("%s relocates %s of %s: making that version weak would not be safe"
                               % (s["label"], read_cstr(data, symstr["offset"] + st_name), version))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="GLIBCXX_3.4.32")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    status = 0
    for path in args.files:
        try:
            with open(path, "rb") as f:
                data = bytearray(f.read())
            message, changed = patch(data, args.version)
            if changed:
                directory = os.path.dirname(os.path.abspath(path))
                fd, temp = tempfile.mkstemp(dir=directory, prefix=".patch-", suffix=".so")
                try:
                    with os.fdopen(fd, "wb") as f:
                        f.write(data)
                    os.chmod(temp, os.stat(path).st_mode & 0o7777)
                    os.replace(temp, path)
                except BaseException:
                    if os.path.exists(temp):
                        os.unlink(temp)
                    raise
            print("patch-libtorchsharp: %s: %s" % (path, message))
        except (ElfError, OSError, struct.error, ValueError) as e:
            print("patch-libtorchsharp: %s: error: %s" % (path, e), file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
