namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// Entropy-decodes one scan into the components' coefficient arrays (Annex F for sequential scans, Annex G for the
/// four kinds of progressive scans: DC first / DC refinement / AC first / AC refinement), walking the MCUs in order
/// and resynchronising at each restart marker (DC predictions and the EOB run start afresh).
/// </summary>
sealed class JpegScanDecoder
{
    readonly JpegFrame _frame;
    readonly JpegScan _scan;
    readonly JpegHuffmanTable?[] _dcTables;   // [4] by slot
    readonly JpegHuffmanTable?[] _acTables;   // [4] by slot
    readonly JpegBitReader _bits;
    readonly string _source;
    int _eobRun;    // progressive AC scans: blocks left in the current end-of-band run

    JpegScanDecoder(JpegFrame frame, JpegScan scan, JpegHuffmanTable?[] dcTables, JpegHuffmanTable?[] acTables, JpegBitReader bits, string source)
    {
        _frame = frame; _scan = scan; _dcTables = dcTables; _acTables = acTables; _bits = bits; _source = source;
    }

    /// <summary>Decodes the scan whose data starts at the bit reader; restartInterval = MCUs between RST markers, 0 for none.</summary>
    public static void Decode(JpegFrame frame, JpegScan scan, JpegHuffmanTable?[] dcTables, JpegHuffmanTable?[] acTables,
        int restartInterval, JpegBitReader bits, string source)
    {
        var decoder = new JpegScanDecoder(frame, scan, dcTables, acTables, bits, source);
        decoder.CheckTables();
        decoder.DecodeMcus(restartInterval);
    }

    void CheckTables()
    {
        bool sequential = !_frame.Progressive;
        foreach (var c in _scan.Components)
        {
            if ((sequential || (_scan.Ss == 0 && _scan.Ah == 0)) && _dcTables[c.DcTable] == null)
                throw new ModelFormatException($"{_source}: JPEG scan uses DC Huffman table {c.DcTable} for component {c.Id}, but no DHT segment defined it");
            if ((sequential || _scan.Ss > 0) && _acTables[c.AcTable] == null)
                throw new ModelFormatException($"{_source}: JPEG scan uses AC Huffman table {c.AcTable} for component {c.Id}, but no DHT segment defined it");
        }
    }

    void DecodeMcus(int restartInterval)
    {
        // A scan of one component codes its blocks one at a time, covering only the blocks that hold image samples;
        // an interleaved scan codes MCUs of H x V blocks of each component in turn.
        var single = _scan.Components.Length == 1 ? _scan.Components[0] : null;
        int mcusPerLine = single != null ? (single.Width + 7) / 8 : _frame.McusPerLine;
        int mcuRows = single != null ? (single.Height + 7) / 8 : _frame.McusPerColumn;
        int total = mcusPerLine * mcuRows;
        for (int mcu = 0; mcu < total; mcu++)
        {
            if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
            {
                _bits.ReadRestartMarker((mcu / restartInterval - 1) % 8);
                foreach (var c in _scan.Components) c.DcPredictor = 0;
                _eobRun = 0;
            }
            int mcuRow = mcu / mcusPerLine, mcuColumn = mcu % mcusPerLine;
            if (single != null) DecodeBlock(single, single.BlockOffset(mcuRow, mcuColumn));
            else
                foreach (var c in _scan.Components)
                    for (int v = 0; v < c.V; v++)
                        for (int h = 0; h < c.H; h++)
                            DecodeBlock(c, c.BlockOffset(mcuRow * c.V + v, mcuColumn * c.H + h));
        }
    }

    void DecodeBlock(JpegComponent c, int offset)
    {
        var block = c.Coefficients.AsSpan(offset, 64);   // [64] natural order
        if (!_frame.Progressive) DecodeSequential(c, block);
        else if (_scan.Ss == 0 && _scan.Ah == 0) DecodeDcFirst(c, block);
        else if (_scan.Ss == 0) DecodeDcRefine(block);
        else if (_scan.Ah == 0) DecodeAcFirst(c, block);
        else DecodeAcRefine(c, block);
    }

    int DecodeDcDifference(JpegComponent c)
    {
        int s = _dcTables[c.DcTable]!.Decode(_bits, _source);
        if (s > 15) throw new ModelFormatException($"{_source}: JPEG DC magnitude category {s} (max 15) before byte {_bits.Position} (corrupt data)");
        return _bits.ReadSigned(s);
    }

    /// <summary>Annex F.2.2: the DC difference, then (run, size) pairs for zig-zag positions 1..63.</summary>
    void DecodeSequential(JpegComponent c, Span<short> block)
    {
        c.DcPredictor += DecodeDcDifference(c);
        block[0] = (short)c.DcPredictor;
        var ac = _acTables[c.AcTable]!;
        for (int k = 1; k < 64; k++)
        {
            int rs = ac.Decode(_bits, _source);
            int run = rs >> 4, size = rs & 15;
            if (size == 0)
            {
                if (run != 15) break;   // end of block
                k += 15;                // sixteen zeros
                continue;
            }
            k += run;
            if (k > 63) throw new ModelFormatException($"{_source}: JPEG block runs past coefficient 63 before byte {_bits.Position} (corrupt data)");
            block[JpegZigZag.NaturalIndex[k]] = (short)_bits.ReadSigned(size);
        }
    }

    /// <summary>G.1.2.1: DC with its low Al bits cut off.</summary>
    void DecodeDcFirst(JpegComponent c, Span<short> block)
    {
        c.DcPredictor += DecodeDcDifference(c);
        block[0] = (short)(c.DcPredictor << _scan.Al);
    }

    /// <summary>G.1.2.1: one more DC bit, raw.</summary>
    void DecodeDcRefine(Span<short> block)
    {
        if (_bits.ReadBit() == 1) block[0] |= (short)(1 << _scan.Al);
    }

    /// <summary>G.1.2.2: the band Ss..Se of one block, or part of an end-of-band run spanning several blocks.</summary>
    void DecodeAcFirst(JpegComponent c, Span<short> block)
    {
        if (_eobRun > 0) { _eobRun--; return; }
        var ac = _acTables[c.AcTable]!;
        for (int k = _scan.Ss; k <= _scan.Se; k++)
        {
            int rs = ac.Decode(_bits, _source);
            int run = rs >> 4, size = rs & 15;
            if (size == 0)
            {
                if (run == 15) { k += 15; continue; }
                _eobRun = (1 << run) + _bits.ReadBits(run) - 1;   // this block ends the first of the run
                break;
            }
            k += run;
            if (k > _scan.Se) throw new ModelFormatException($"{_source}: JPEG block runs past coefficient {_scan.Se} before byte {_bits.Position} (corrupt data)");
            block[JpegZigZag.NaturalIndex[k]] = (short)(_bits.ReadSigned(size) << _scan.Al);
        }
    }

    /// <summary>
    /// G.1.2.3: one more bit for the band. Coded symbols give the next newly non-zero coefficient (±1 at bit Al) after
    /// `run` zero-history coefficients; every already non-zero coefficient passed on the way gets a correction bit.
    /// </summary>
    void DecodeAcRefine(JpegComponent c, Span<short> block)
    {
        int plus = 1 << _scan.Al, minus = -1 << _scan.Al;
        int k = _scan.Ss, se = _scan.Se;
        if (_eobRun == 0)
        {
            var ac = _acTables[c.AcTable]!;
            for (; k <= se; k++)
            {
                int rs = ac.Decode(_bits, _source);
                int run = rs >> 4, size = rs & 15, value = 0;
                if (size != 0)
                {
                    if (size != 1) throw new ModelFormatException($"{_source}: JPEG refinement scan codes magnitude {size} (must be 1) before byte {_bits.Position} (corrupt data)");
                    value = _bits.ReadBit() == 1 ? plus : minus;
                }
                else if (run != 15)
                {
                    _eobRun = (1 << run) + _bits.ReadBits(run);   // counts this block; finished below
                    break;
                }
                for (; k <= se; k++)
                {
                    ref short coef = ref block[JpegZigZag.NaturalIndex[k]];
                    if (coef != 0) Refine(ref coef, plus, minus);
                    else if (run-- == 0) break;
                }
                if (value != 0)
                {
                    if (k > se) throw new ModelFormatException($"{_source}: JPEG refinement runs past coefficient {se} before byte {_bits.Position} (corrupt data)");
                    block[JpegZigZag.NaturalIndex[k]] = (short)value;
                }
            }
        }
        if (_eobRun > 0)
        {
            for (; k <= se; k++)
            {
                ref short coef = ref block[JpegZigZag.NaturalIndex[k]];
                if (coef != 0) Refine(ref coef, plus, minus);
            }
            _eobRun--;
        }
    }

    /// <summary>A correction bit for an already non-zero coefficient: if set (and bit Al not yet set), move it away from zero.</summary>
    void Refine(ref short coef, int plus, int minus)
    {
        if (_bits.ReadBit() == 1 && (coef & plus) == 0)
            coef += (short)(coef >= 0 ? plus : minus);
    }
}
