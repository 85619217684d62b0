package dev.radar.scoring.djl;

import java.util.List;

/**
 * One sequence of a forward batch. Per-candidate: the prompt and one candidate (all segment 0, plain causal).
 * Packed: the prompt once (segment 0) then every candidate k in segment k+1; a token may attend to earlier
 * tokens of segment 0 and of its own segment, and candidate positions continue from the prompt's length, so
 * each candidate sees exactly what it would see alone.
 *
 * @param sample     the prepared sample the row belongs to
 * @param ids        token ids
 * @param positions  position ids
 * @param segments   segment per token (0 = shared prompt)
 * @param tiles      image tiles of the row's prompt
 * @param targetPos  row index whose logits predict each scored token
 * @param targetIds  each scored token
 * @param targetCand candidate of each scored token
 * @param targetTok  index of each scored token within its candidate
 */
record Row(PreparedSample sample, int[] ids, int[] positions, int[] segments, List<float[]> tiles,
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

    /** Reference layout: prompt+candidate k as its own sequence (prefix = the joint tokenisation's prompt part). */
    static Row perCandidate(PreparedSample p, int k) {
        int[] prefix = p.jointPrefixIds().get(k);
        int[] cand = p.candidateIds().get(k);
        int len = prefix.length + cand.length;
        int[] ids = new int[len];
        System.arraycopy(prefix, 0, ids, 0, prefix.length);
        System.arraycopy(cand, 0, ids, prefix.length, cand.length);
        int[] pos = new int[len];
        for (int i = 0; i < len; i++) {
            pos[i] = i;
        }
        int m = cand.length;
        int[] tPos = new int[m];
        int[] tIds = new int[m];
        int[] tCand = new int[m];
        int[] tTok = new int[m];
        for (int t = 0; t < m; t++) {
            tPos[t] = prefix.length + t - 1;
            tIds[t] = cand[t];
            tCand[t] = k;
            tTok[t] = t;
        }
        return new Row(p, ids, pos, new int[len], p.tiles(), tPos, tIds, tCand, tTok);
    }

    /** Packed layout: prompt once, then every candidate, each in its own segment. */
    static Row packed(PreparedSample p) {
        int[] prompt = p.promptIds();
        int lp = prompt.length;
        int len = lp;
        int m = 0;
        for (int[] c : p.candidateIds()) {
            len += c.length;
            m += c.length;
        }
        int[] ids = new int[len];
        int[] pos = new int[len];
        int[] seg = new int[len];
        System.arraycopy(prompt, 0, ids, 0, lp);
        for (int i = 0; i < lp; i++) {
            pos[i] = i;
        }
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
                pos[o + t] = lp + t;
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
        return new Row(p, ids, pos, seg, p.tiles(), tPos, tIds, tCand, tTok);
    }

    /** Largest position id in the row + 1 (what the model's position table must cover). */
    int positionSpan() {
        int max = 0;
        for (int v : positions) {
            max = Math.max(max, v);
        }
        return max + 1;
    }
}
