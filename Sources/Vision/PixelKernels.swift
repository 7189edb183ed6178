/// The detectors' per-pixel passes, 16 pixels at a time. At 5 fps on two dozen cameras per machine
/// these passes are most of the analysis cost (Benchmarks/README.md, capacity), and scalar Swift
/// loops over 64-bit `Int`s do not vectorise. Every kernel gives exactly the result of its scalar
/// definition, kept beside it for the tail of each row and pinned by PixelKernelTests.
///
/// Lanes are 8 or 16 bits wide, so that the baseline x86-64 (SSE2) and ARM (NEON) targets run them
/// as 128-bit vector code.
enum PixelKernels {
    typealias Bytes = SIMD16<UInt8>

    @inline(__always) static func load(_ p: UnsafePointer<UInt8>, _ i: Int) -> Bytes {
        UnsafeRawPointer(p + i).loadUnaligned(as: Bytes.self)
    }

    @inline(__always) static func store(_ v: Bytes, _ p: UnsafeMutablePointer<UInt8>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: Bytes.self)
    }

    /// Number of lanes set in a 0/1 byte vector sum (at most 255 per lane).
    @inline(__always) static func total(_ v: Bytes) -> Int { Int(SIMD16<UInt16>(truncatingIfNeeded: v).wrappedSum()) }

    // MARK: 16-bit lanes without conversions
    //
    // The standard library's lane-width conversions (`SIMD16<Int16>(truncatingIfNeeded:)`) and
    // `pointwiseMin/Max` compile to out-of-line loops. Instead, 16 bytes are read as eight 16-bit
    // lanes and split into the even and the odd pixels, which per-pixel arithmetic can treat alike;
    // comparisons and `replacing` are plain vector instructions.

    typealias Lanes = SIMD8<Int16>

    /// Pixels i, i+2, … (even) and i+1, i+3, … (odd) of 16 bytes at `i`, as values 0–255.
    @inline(__always) static func pairs(_ p: UnsafePointer<UInt8>, _ i: Int) -> (even: Lanes, odd: Lanes) {
        let v = UnsafeRawPointer(p + i).loadUnaligned(as: Lanes.self)
        let low = Lanes(repeating: 0xFF)
        return (v & low, (v &>> 8) & low)
    }

    /// The inverse of `pairs`: stores the low bytes of `even` and `odd` interleaved at `i`.
    @inline(__always) static func store(even: Lanes, odd: Lanes, _ p: UnsafeMutablePointer<UInt8>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: (even & Lanes(repeating: 0xFF)) | (odd &<< 8), as: Lanes.self)
    }

    @inline(__always) static func vmin(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: b .< a) }
    @inline(__always) static func vmax(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: b .> a) }
    @inline(__always) static func vabs(_ a: Lanes) -> Lanes { a.replacing(with: Lanes(repeating: 0) &- a, where: a .< Lanes(repeating: 0)) }

    typealias Quads = SIMD4<Int32>

    /// Pixels i+k, i+4+k, i+8+k, i+12+k for k = 0…3 of 16 bytes at `i`, as values 0–255 in 32-bit
    /// lanes: for arithmetic that needs more than 16 bits (a gain change).
    @inline(__always) static func quads(_ p: UnsafePointer<UInt8>, _ i: Int) -> (Quads, Quads, Quads, Quads) {
        let v = UnsafeRawPointer(p + i).loadUnaligned(as: Quads.self)
        let low = Quads(repeating: 0xFF)
        return (v & low, (v &>> 8) & low, (v &>> 16) & low, (v &>> 24) & low)
    }

    /// The inverse of `quads`.
    @inline(__always) static func store(_ q: (Quads, Quads, Quads, Quads), _ p: UnsafeMutablePointer<UInt8>, _ i: Int) {
        let low = Quads(repeating: 0xFF)
        UnsafeMutableRawPointer(p + i).storeBytes(of: (q.0 & low) | ((q.1 & low) &<< 8) | ((q.2 & low) &<< 16) | (q.3 &<< 24), as: Quads.self)
    }

    @inline(__always) static func vmin(_ a: Quads, _ b: Quads) -> Quads { a.replacing(with: b, where: b .< a) }
    @inline(__always) static func vmax(_ a: Quads, _ b: Quads) -> Quads { a.replacing(with: b, where: b .> a) }

    /// Σ of the lanes read as unsigned 16-bit numbers.
    @inline(__always) static func unsignedSum(_ v: Lanes) -> Int {
        var n = 0
        for k in 0..<8 { n += Int(UInt16(bitPattern: v[k])) }
        return n
    }

    // MARK: Background

    /// One step of the approximate-median background (BackgroundModel.update): with the prediction
    /// p = clamp((bg·g + o + 128) >> 8, 0, 255) and d = cur − p, marks fg = |d| > threshold and moves
    /// bg to p + clamp(d, −steps, steps). `g` and `o` are the light fit in 8-bit fixed point. Returns
    /// the number of foreground pixels.
    static func backgroundStep(cur: UnsafeBufferPointer<UInt8>, bg: UnsafeMutableBufferPointer<UInt8>,
                               fg: UnsafeMutableBufferPointer<UInt8>, g: Int, o: Int, threshold: Int, steps: Int) -> Int {
        let n = min(cur.count, bg.count, fg.count)
        guard n > 0, let c = cur.baseAddress, let b = bg.baseAddress, let f = fg.baseAddress else { return 0 }
        var i = 0, count = 0
        // With no gain change (g = 256: the usual case, and every frame the light fit calls noise)
        // p = clamp(bg + ((o + 128) >> 8)) exactly, and every intermediate fits 16 bits under these
        // bounds (all real settings). Beyond them, the scalar loop below.
        if g == 256 && abs((o + 128) >> 8) <= 1024 && (-1...4096).contains(threshold) && (0...4096).contains(steps) {
            let shift = Lanes(repeating: Int16((o + 128) >> 8))
            let t = Lanes(repeating: Int16(threshold)), s = Lanes(repeating: Int16(steps))
            let zero = Lanes(repeating: 0), one = Lanes(repeating: 1), top = Lanes(repeating: 255)
            var hits = zero
            while i + 16 <= n {
                let (be, bo) = pairs(b, i), (ce, co) = pairs(c, i)
                let pe = vmin(vmax(be &+ shift, zero), top), po = vmin(vmax(bo &+ shift, zero), top)
                let de = ce &- pe, dd = co &- po
                let he = zero.replacing(with: one, where: (de .> t) .| (de .< zero &- t))
                let ho = zero.replacing(with: one, where: (dd .> t) .| (dd .< zero &- t))
                store(even: he, odd: ho, f, i)
                hits &+= he &+ ho
                store(even: pe &+ vmin(vmax(de, zero &- s), s), odd: po &+ vmin(vmax(dd, zero &- s), s), b, i)
                i += 16
                if i & 0x3FFF0 == 0 { count += unsignedSum(hits); hits = zero }  // ≤ 2 per lane per step
            }
            count += unsignedSum(hits)
        } else if abs(g) <= 1 << 16 && abs(o) <= 1 << 24 && (-1...4096).contains(threshold) && (0...4096).contains(steps) {
            // A gain change: the same in 32-bit lanes.
            let gv = Quads(repeating: Int32(g)), ov = Quads(repeating: Int32(o + 128))
            let t = Quads(repeating: Int32(threshold)), s = Quads(repeating: Int32(steps))
            let zero = Quads(repeating: 0), one = Quads(repeating: 1), top = Quads(repeating: 255)
            var hits = zero
            @inline(__always) func step(_ bv: Quads, _ cv: Quads) -> (bg: Quads, hit: Quads) {
                let p = vmin(vmax((bv &* gv &+ ov) &>> 8, zero), top)
                let d = cv &- p
                return (p &+ vmin(vmax(d, zero &- s), s), zero.replacing(with: one, where: (d .> t) .| (d .< zero &- t)))
            }
            while i + 16 <= n {
                let bq = quads(b, i), cq = quads(c, i)
                let r0 = step(bq.0, cq.0), r1 = step(bq.1, cq.1), r2 = step(bq.2, cq.2), r3 = step(bq.3, cq.3)
                store((r0.hit, r1.hit, r2.hit, r3.hit), f, i)
                hits &+= r0.hit &+ r1.hit &+ r2.hit &+ r3.hit
                store((r0.bg, r1.bg, r2.bg, r3.bg), b, i)
                i += 16
            }
            count += Int(hits.wrappedSum())
        }
        while i < n {
            let p = min(max((Int(b[i]) * g + o + 128) >> 8, 0), 255)
            let d = Int(c[i]) - p
            let hit = d > threshold || d < -threshold
            f[i] = hit ? 1 : 0
            count &+= hit ? 1 : 0
            b[i] = UInt8(truncatingIfNeeded: p + min(max(d, -steps), steps))
            i += 1
        }
        return count
    }

    // MARK: Change

    /// Marks out = |cur − ((ref·g + o + 128) >> 8)| > threshold (ImageOps.markDifferent); returns how many.
    static func markDifferent(cur: UnsafeBufferPointer<UInt8>, ref: UnsafeBufferPointer<UInt8>,
                              out: UnsafeMutableBufferPointer<UInt8>, g: Int, o: Int, threshold: Int) -> Int {
        let n = min(cur.count, ref.count, out.count)
        guard n > 0, let c = cur.baseAddress, let r = ref.baseAddress, let f = out.baseAddress else { return 0 }
        var i = 0, count = 0
        if g == 256 && abs((o + 128) >> 8) <= 1024 && (-1...4096).contains(threshold) {
            let shift = Lanes(repeating: Int16((o + 128) >> 8))
            let t = Lanes(repeating: Int16(threshold)), zero = Lanes(repeating: 0), one = Lanes(repeating: 1)
            var hits = zero
            while i + 16 <= n {
                let (re, ro) = pairs(r, i), (ce, co) = pairs(c, i)
                let de = ce &- (re &+ shift), dd = co &- (ro &+ shift)
                let he = zero.replacing(with: one, where: (de .> t) .| (de .< zero &- t))
                let ho = zero.replacing(with: one, where: (dd .> t) .| (dd .< zero &- t))
                store(even: he, odd: ho, f, i)
                hits &+= he &+ ho
                i += 16
                if i & 0x3FFF0 == 0 { count += unsignedSum(hits); hits = zero }
            }
            count += unsignedSum(hits)
        } else if abs(g) <= 1 << 16 && abs(o) <= 1 << 24 && (-1...4096).contains(threshold) {
            let gv = Quads(repeating: Int32(g)), ov = Quads(repeating: Int32(o + 128))
            let t = Quads(repeating: Int32(threshold)), zero = Quads(repeating: 0), one = Quads(repeating: 1)
            var hits = zero
            @inline(__always) func hit(_ rv: Quads, _ cv: Quads) -> Quads {
                let d = cv &- ((rv &* gv &+ ov) &>> 8)
                return zero.replacing(with: one, where: (d .> t) .| (d .< zero &- t))
            }
            while i + 16 <= n {
                let rq = quads(r, i), cq = quads(c, i)
                let h = (hit(rq.0, cq.0), hit(rq.1, cq.1), hit(rq.2, cq.2), hit(rq.3, cq.3))
                store(h, f, i)
                hits &+= h.0 &+ h.1 &+ h.2 &+ h.3
                i += 16
            }
            count += Int(hits.wrappedSum())
        }
        while i < n {
            let d = Int(c[i]) - ((Int(r[i]) * g + o + 128) >> 8)
            let hit = d > threshold || d < -threshold
            f[i] = hit ? 1 : 0
            count &+= hit ? 1 : 0
            i += 1
        }
        return count
    }

    // MARK: Edges

    /// Sobel magnitude m = |gx| + |gy| of every interior pixel: edges = m > threshold (m = 0 on the
    /// border). Returns Σ m over the picture.
    static func sobelEdges(_ p: UnsafeBufferPointer<UInt8>, width w: Int, height h: Int, threshold: Int,
                           edges: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let src = p.baseAddress, let out = edges.baseAddress, w * h <= min(p.count, edges.count) else { return 0 }
        out.update(repeating: threshold < 0 ? 1 : 0, count: w * h)
        guard w >= 3, h >= 3 else { return 0 }
        let t = Lanes(repeating: Int16(min(max(threshold, -1), 2040)))
        let zero = Lanes(repeating: 0), one = Lanes(repeating: 1)
        var energy = 0
        for y in 1..<(h - 1) {
            let up = src + (y - 1) * w, mid = src + y * w, down = src + (y + 1) * w, o = out + y * w
            var x = 1
            // Magnitudes are ≤ 2040: 32 of them fit an unsigned 16-bit lane before it is emptied.
            var acc = zero, rounds = 0
            while x + 17 <= w {
                // For output pixel x+2k (even) the left, centre and right neighbours are the even
                // pixels of the loads at x−1, x, x+1; for x+2k+1 (odd), the even of x, the odd of x, the odd of x+1.
                let (ul, _) = pairs(up, x - 1), (uc, uo) = pairs(up, x), (ue, ur) = pairs(up, x + 1)
                let (ml, _) = pairs(mid, x - 1), (mc, _) = pairs(mid, x), (me, mr) = pairs(mid, x + 1)
                let (dl, _) = pairs(down, x - 1), (dc, d0) = pairs(down, x), (de, dr) = pairs(down, x + 1)
                // Even outputs: left = *l (even of x−1), centre = *c (even of x), right = *e (even of x+1).
                let gxE = (ue &+ me &+ me &+ de) &- (ul &+ ml &+ ml &+ dl)
                let gyE = (dl &+ dc &+ dc &+ de) &- (ul &+ uc &+ uc &+ ue)
                // Odd outputs: left = *c (even of x), centre = *o (odd of x), right = *r (odd of x+1).
                let gxO = (ur &+ mr &+ mr &+ dr) &- (uc &+ mc &+ mc &+ dc)
                let gyO = (dc &+ d0 &+ d0 &+ dr) &- (uc &+ uo &+ uo &+ ur)
                let mE = vabs(gxE) &+ vabs(gyE), mO = vabs(gxO) &+ vabs(gyO)
                store(even: zero.replacing(with: one, where: mE .> t), odd: zero.replacing(with: one, where: mO .> t), o, x)
                acc &+= mE &+ mO
                rounds += 1
                if rounds == 16 { energy += unsignedSum(acc); acc = zero; rounds = 0 }
                x += 16
            }
            energy += unsignedSum(acc)
            while x < w - 1 {
                let gx = (Int(up[x + 1]) + 2 * Int(mid[x + 1]) + Int(down[x + 1])) - (Int(up[x - 1]) + 2 * Int(mid[x - 1]) + Int(down[x - 1]))
                let gy = (Int(down[x - 1]) + 2 * Int(down[x]) + Int(down[x + 1])) - (Int(up[x - 1]) + 2 * Int(up[x]) + Int(up[x + 1]))
                let m = abs(gx) + abs(gy)
                energy += m
                o[x] = m > threshold ? 1 : 0
                x += 1
            }
        }
        return energy
    }

    // MARK: Pyramid

    /// One pyramid level: each output pixel is the rounded mean of a 2×2 block, (a+b+c+d+2) >> 2.
    static func downsample(_ p: UnsafeBufferPointer<UInt8>, width sw: Int, into dst: UnsafeMutableBufferPointer<UInt8>,
                           width w: Int, height h: Int) {
        guard let src = p.baseAddress, let out = dst.baseAddress, w > 0, h > 0 else { return }
        let two = SIMD16<UInt16>(repeating: 2)
        for y in 0..<h {
            let r0 = src + 2 * y * sw, r1 = r0 + sw, o = out + y * w
            var x = 0
            while x + 16 <= w {
                let t = UnsafeRawPointer(r0 + 2 * x).loadUnaligned(as: SIMD32<UInt8>.self)
                let b = UnsafeRawPointer(r1 + 2 * x).loadUnaligned(as: SIMD32<UInt8>.self)
                let s = SIMD16<UInt16>(truncatingIfNeeded: t.evenHalf) &+ SIMD16<UInt16>(truncatingIfNeeded: t.oddHalf)
                    &+ SIMD16<UInt16>(truncatingIfNeeded: b.evenHalf) &+ SIMD16<UInt16>(truncatingIfNeeded: b.oddHalf)
                store(Bytes(truncatingIfNeeded: (s &+ two) &>> 2), o, x)
                x += 16
            }
            while x < w {
                let s = Int(r0[2 * x]) + Int(r0[2 * x + 1]) + Int(r1[2 * x]) + Int(r1[2 * x + 1])
                o[x] = UInt8(truncatingIfNeeded: (s + 2) >> 2)
                x += 1
            }
        }
    }

    // MARK: Zone sums

    /// Over `count` pixels from `offset` of 0/1 masks: (Σ inside, Σ fg∧inside, Σ edge∧inside, Σ fg∧edge∧inside).
    @inline(__always)
    static func zoneCounts(inside: UnsafePointer<UInt8>, fg: UnsafePointer<UInt8>, edges: UnsafePointer<UInt8>,
                           offset: Int, count: Int) -> (inside: Int, fg: Int, edges: Int, fgEdges: Int) {
        var nz = 0, nf = 0, ne = 0, nfe = 0
        var az = Bytes(repeating: 0), af = az, ae = az, afe = az, rounds = 0
        var i = offset
        let end = offset + count
        while i + 16 <= end {
            let m = load(inside, i), a = load(fg, i) & m, e = load(edges, i) & m
            az &+= m; af &+= a; ae &+= e; afe &+= a & e
            i += 16
            rounds += 1
            if rounds == 255 {
                nz += total(az); nf += total(af); ne += total(ae); nfe += total(afe)
                az = Bytes(repeating: 0); af = az; ae = az; afe = az; rounds = 0
            }
        }
        nz += total(az); nf += total(af); ne += total(ae); nfe += total(afe)
        while i < end {
            let m = Int(inside[i]), a = Int(fg[i]), e = Int(edges[i])
            nz &+= m; nf &+= a & m; ne &+= e & m; nfe &+= a & e & m
            i += 1
        }
        return (nz, nf, ne, nfe)
    }

    /// Σ of a 0/1 mask over `count` pixels from `offset`.
    @inline(__always)
    static func ones(_ mask: UnsafePointer<UInt8>, offset: Int, count: Int) -> Int {
        var n = 0, acc = Bytes(repeating: 0), rounds = 0
        var i = offset
        let end = offset + count
        while i + 16 <= end {
            acc &+= load(mask, i)
            i += 16
            rounds += 1
            if rounds == 255 { n += total(acc); acc = Bytes(repeating: 0); rounds = 0 }
        }
        n += total(acc)
        while i < end { n &+= Int(mask[i]); i += 1 }
        return n
    }
}
