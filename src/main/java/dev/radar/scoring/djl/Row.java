package dev.radar.scoring.djl;

/**
 * One sequence of a forward batch. Per-candidate: the prompt and one candidate (all segment 0, plain causal).
 * Packed: the prompt once (segment 0) then every candidate k in segment k+1; a token may attend to earlier
 * tokens of segment 0 and of its own segment, and candidate positions continue from the prompt's largest
 * position + 1 (in every position dim), so each candidate sees exactly what it would see alone.
 *
 * @param sample     the prepared sample the row belongs to
 * @param ids        token ids (contract 2: {@link PreparedSample#IMAGE_SLOT} at visual-token positions)
 * @param positions  position ids, [dims][length]
 * @param segments   segment per token (0 = shared prompt)
 * @param targetPos  row index whose logits predict each scored token
 * @param targetIds  each scored token
 * @param targetCand candidate of each scored token
 * @param targetTok  index of each scored token within its candidate
 */
record Row(PreparedSample sample, int[] ids, int[][] positions, int[] segments,
           int[] targetPos, int[] targetIds, int[] targetCand, int[] targetTok) {

    int length() {
        return ids.length;
    }

    boolean plainCausal() {
        for (int s : segments) {
            if (s != 0) {
                return false;
            }
        }
        return true;
    }

    /** Contract 1 positions (one dim, sequential). */
    static Row perCandidate(PreparedSample p, int k) {
        return perCandidate(p, k, PositionRule.SEQUENTIAL);
    }

    /** Contract 1 positions (one dim, sequential). */
    static Row packed(PreparedSample p) {
        return packed(p, PositionRule.SEQUENTIAL);
    }

    /** Reference layout: prompt+candidate k as its own sequence (prefix = the joint tokenisation's prompt part). */
    static Row perCandidate(PreparedSample p, int k, PositionRule rule) {
        int[] prefix = p.jointPrefixIds().get(k);
        int[] cand = p.candidateIds().get(k);
        int lp = prefix.length;
        int len = lp + cand.length;
        int[] ids = new int[len];
        System.arraycopy(prefix, 0, ids, 0, lp);
        System.arraycopy(cand, 0, ids, lp, cand.length);
        int[][] pos = withCandidates(rule.prefix(prefix, p), len);
        int next = maxPlusOne(pos, lp);
        int m = cand.length;
        int[] tPos = new int[m];
        int[] tIds = new int[m];
        int[] tCand = new int[m];
        int[] tTok = new int[m];
        for (int t = 0; t < m; t++) {
            setAll(pos, lp + t, next + t);
            tPos[t] = lp + t - 1;
            tIds[t] = cand[t];
            tCand[t] = k;
            tTok[t] = t;
        }
        return new Row(p, ids, pos, new int[len], tPos, tIds, tCand, tTok);
    }

    /** Packed layout: prompt once, then every candidate, each in its own segment. */
    static Row packed(PreparedSample p, PositionRule rule) {
        int[] prompt = p.promptIds();
        int lp = prompt.length;
        int len = lp;
        int m = 0;
        for (int[] c : p.candidateIds()) {
            len += c.length;
            m += c.length;
        }
        int[] ids = new int[len];
        int[] seg = new int[len];
        System.arraycopy(prompt, 0, ids, 0, lp);
        int[][] pos = withCandidates(rule.prefix(prompt, p), len);
        int next = maxPlusOne(pos, lp);
        int[] tPos = new int[m];
        int[] tIds = new int[m];
        int[] tCand = new int[m];
        int[] tTok = new int[m];
        int o = lp;
        int j = 0;
        for (int k = 0; k < p.candidateIds().size(); k++) {
            int[] c = p.candidateIds().get(k);
            for (int t = 0; t < c.length; t++) {
                ids[o + t] = c[t];
                setAll(pos, o + t, next + t);
                seg[o + t] = k + 1;
                // The first candidate token is predicted by the last prompt token, the others by their predecessor.
                tPos[j] = t == 0 ? lp - 1 : o + t - 1;
                tIds[j] = c[t];
                tCand[j] = k;
                tTok[j] = t;
                j++;
            }
            o += c.length;
        }
        return new Row(p, ids, pos, seg, tPos, tIds, tCand, tTok);
    }

    private static int[][] withCandidates(int[][] prefix, int len) {
        int[][] pos = new int[prefix.length][];
        for (int d = 0; d < prefix.length; d++) {
            pos[d] = java.util.Arrays.copyOf(prefix[d], len);
        }
        return pos;
    }

    private static int maxPlusOne(int[][] pos, int upTo) {
        int max = -1;
        for (int[] dim : pos) {
            for (int i = 0; i < upTo; i++) {
                max = Math.max(max, dim[i]);
            }
        }
        return max + 1;
    }

    private static void setAll(int[][] pos, int i, int v) {
        for (int[] dim : pos) {
            dim[i] = v;
        }
    }

    /** Largest position id in the row + 1 (what the model's position table must cover). */
    int positionSpan() {
        return maxPlusOne(positions, ids.length);
    }
}
