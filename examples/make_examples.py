"""Writes the small sample pool under examples/ (run once; the outputs are committed).

The features are synthetic, in the reference's format: each domain prefers its own band of
neurons at every layer, with noise, so a science target ranks science documents first.
L = 4 layers, K = 8 neurons per layer, N = 256.
"""
import json
import random

L, K, N = 4, 8, 256
DOMAINS = {
    "science": ["Photosynthesis converts light energy into chemical energy stored in glucose.",
                "Newton's second law states that force equals mass times acceleration.",
                "DNA is a double helix made of nucleotides paired by hydrogen bonds.",
                "Plate tectonics explains earthquakes and the drift of continents.",
                "An atom's nucleus holds protons and neutrons bound by the strong force."],
    "cooking": ["Whisk the eggs with sugar until pale, then fold in the sifted flour.",
                "Brown the onions slowly in butter before adding the stock.",
                "Season the roast generously and rest it for ten minutes before carving.",
                "Knead the dough until smooth and let it rise in a warm place.",
                "Simmer the tomatoes with garlic and basil for a quick sauce."],
    "sports": ["The striker scored twice in the second half to seal the win.",
               "She finished the marathon in a personal best of two hours thirty.",
               "The home team rallied from a ten point deficit in the final quarter.",
               "A late serve break decided the third set of the final.",
               "The relay team set a national record in the four by one hundred."],
    "code": ["def add(a, b): return a + b  # a tiny Python function",
             "SELECT name, count(*) FROM users GROUP BY name ORDER BY 2 DESC;",
             "for (int i = 0; i < n; i++) { sum += values[i]; }",
             "git rebase -i HEAD~3 lets you squash the last three commits.",
             "The function returns a promise that resolves once the file is read."],
    "finance": ["The company's quarterly revenue rose eight percent year over year.",
                "Bond yields fell as investors priced in a rate cut.",
                "The lease obliges the tenant to pay rent monthly in advance.",
                "Diversification lowers portfolio risk without lowering expected return.",
                "The contract terminates automatically if either party becomes insolvent."],
}
BAND = {d: i * 48 for i, d in enumerate(DOMAINS)}


def feature(domain, rnd):
    out = []
    for _ in range(L):
        chosen = []
        while len(chosen) < K:
            n = BAND[domain] + rnd.randrange(48) if rnd.random() < 0.75 else rnd.randrange(N)
            if n not in chosen:
                chosen.append(n)
        out.extend(chosen)
    return out


def main():
    rnd = random.Random(2026)
    pool, feats = [], []
    i = 0
    for rep in range(6):
        for domain, texts in DOMAINS.items():
            for text in texts:
                docid = f"doc-{i:04d}"
                pool.append({"docid": docid, "doc": text, "token_num": len(text.split()),
                             "dataset": domain, "url": f"https://example.org/{domain}/{i}"})
                feats.append({"docid": docid, "fwd_up_feature": {"layer_topk_value_index": feature(domain, rnd)}})
                i += 1
    order = list(range(len(pool)))
    rnd.shuffle(order)
    with open("pool_payload.jsonl", "w") as f:
        for j in order:
            f.write(json.dumps(pool[j]) + "\n")
    with open("pool_features.jsonl", "w") as f:
        for j in order:
            f.write(json.dumps(feats[j]) + "\n")
    targets = [("science", "Why does ice float on water?"), ("science", "What causes the seasons on Earth?"),
               ("science", "How do vaccines train the immune system?"), ("cooking", "How long should pasta boil?"),
               ("cooking", "What does it mean to blanch vegetables?"), ("cooking", "Why rest bread dough?")]
    with open("target_payload.jsonl", "w") as f, open("target_features.jsonl", "w") as g:
        for k, (domain, text) in enumerate(targets):
            docid = f"target-{k}"
            f.write(json.dumps({"docid": docid, "doc": text, "token_num": len(text.split()), "dataset": domain}) + "\n")
            g.write(json.dumps({"docid": docid, "fwd_up_feature": {"layer_topk_value_index": feature(domain, rnd)}}) + "\n")


if __name__ == "__main__":
    main()
