#!/usr/bin/env python3
"""Writes the demo corpus (corpus.jsonl) for `nag-selector demo`.

Six domains of short web-like documents, composed from sentences written for this project; about
10% of the documents appear twice (exact duplicates, new ids), and a few records are malformed on
purpose (a line that is not JSON, a missing id, empty text, binary content). Deterministic: run it
again and the file is the same.
"""
import json
import random

S = {
    "science": [
        "Photosynthesis converts light energy into chemical energy stored in glucose inside the chloroplasts of plant cells.",
        "A neutron star is the collapsed core of a massive star, so dense that a teaspoon of it would weigh billions of tonnes.",
        "DNA replication is semi-conservative: each new double helix keeps one strand from the original molecule.",
        "The speed of light in a vacuum is about 299,792 kilometres per second, and nothing with mass can reach it.",
        "Entropy measures how many microscopic arrangements are consistent with a system's macroscopic state.",
        "Mitochondria produce most of the cell's ATP through oxidative phosphorylation across their inner membrane.",
        "Plate tectonics explains earthquakes and volcanoes as the motion of rigid plates over the mantle.",
        "Quantum entanglement links the measured states of two particles no matter how far apart they are.",
        "An enzyme lowers the activation energy of a reaction without being consumed by it.",
        "The half-life of carbon-14 is about 5,730 years, which lets researchers date organic material.",
        "Black holes bend spacetime so strongly that light cannot escape from inside the event horizon.",
        "Natural selection favours heritable traits that increase an organism's reproductive success.",
        "Electrons occupy orbitals whose shapes follow from solutions of the Schrodinger equation.",
        "The greenhouse effect traps infrared radiation emitted by the Earth's surface in the lower atmosphere.",
        "Vaccines train the immune system by exposing it to an antigen that cannot cause the disease.",
        "Newton's third law says that every force has an equal and opposite reaction force.",
        "Neurons transmit signals as action potentials that travel along the axon to the synapse.",
        "The periodic table orders the elements by atomic number and groups them by their valence electrons.",
        "Gravitational waves are ripples in spacetime first detected from two merging black holes in 2015.",
        "Catalysts in a car's exhaust convert carbon monoxide and nitrogen oxides into less harmful gases.",
        "Researchers measured the wavelength of the emitted photons with a diffraction grating spectrometer.",
        "The experiment was repeated three times, and the measured value agreed with the theoretical prediction.",
        "Cells divide by mitosis, in which duplicated chromosomes are separated into two identical nuclei.",
        "Superconductors carry current with zero electrical resistance below a critical temperature.",
    ],
    "cooking": [
        "Preheat the oven to 200 degrees and line a baking tray with parchment paper.",
        "Whisk the eggs with the sugar until the mixture is pale and doubled in volume.",
        "Fold the flour in gently with a spatula so the batter keeps its air.",
        "Brown the onions slowly in butter for twenty minutes until they are sweet and golden.",
        "Season the soup with salt, pepper and a squeeze of lemon just before serving.",
        "Knead the dough for ten minutes, then let it rise in a warm place until doubled.",
        "Sear the steak in a very hot cast-iron pan for two minutes on each side and let it rest.",
        "Simmer the tomato sauce with garlic, basil and olive oil for at least half an hour.",
        "Roast the vegetables with rosemary and a drizzle of olive oil until the edges caramelise.",
        "Cook the pasta in plenty of salted boiling water and keep a cup of the starchy water.",
        "Melt the chocolate over a pan of barely simmering water, stirring until smooth.",
        "Marinate the chicken in yoghurt, cumin and paprika overnight in the fridge.",
        "Blanch the green beans for two minutes, then plunge them into iced water to keep them bright.",
        "Stir the risotto constantly and add the warm stock one ladle at a time.",
        "Chop the herbs finely and scatter them over the dish right before it goes to the table.",
        "This recipe serves four and takes about forty-five minutes from start to finish.",
        "Bake the bread for thirty-five minutes until the crust is deep brown and sounds hollow.",
        "Deglaze the pan with a splash of white wine and scrape up the browned bits.",
        "Toast the spices in a dry pan until fragrant before grinding them.",
        "Let the cake cool in the tin for ten minutes before turning it out onto a rack.",
        "Slice the cucumbers thinly and dress them with rice vinegar, sesame oil and chilli flakes.",
        "For a crisp pie crust, keep the butter cold and do not overwork the pastry.",
        "Add a pinch of salt to the caramel to balance its sweetness.",
        "Serve the stew with crusty bread and a bowl of green salad.",
    ],
    "sports": [
        "The striker scored twice in the second half to give the home team a 3-1 win.",
        "She broke the national record in the 400 metres with a time of 49.8 seconds.",
        "The goalkeeper saved a penalty in the final minute to keep the clean sheet.",
        "After a tie-break in the fifth set, the defending champion reached the semi-final.",
        "The point guard finished with 31 points, 9 assists and 7 rebounds.",
        "The coach praised the defence for holding the league's best attack scoreless.",
        "Rain delayed the start of the match, and the umpires shortened it to forty overs.",
        "The cyclist attacked on the final climb and won the stage by forty seconds.",
        "The quarterback threw three touchdown passes in a comeback victory on Sunday.",
        "Fans filled the stadium for the derby, the first sell-out of the season.",
        "The midfielder signed a four-year contract after a successful loan spell.",
        "The team sits second in the table, two points behind the leaders with five games left.",
        "The marathon winner crossed the line in two hours, four minutes and twelve seconds.",
        "A late equaliser from a corner kick sent the tie to extra time.",
        "The referee showed a red card after a dangerous tackle in the 60th minute.",
        "The swimmer won gold in the 200 metres butterfly, her third medal of the championships.",
        "The pitcher struck out eleven batters over seven scoreless innings.",
        "The visitors dominated possession but could not find a way past the keeper.",
        "The relay team dropped the baton on the final exchange and failed to qualify.",
        "Injuries forced the manager to field a young side for the cup tie.",
        "The boxer retained the title on a unanimous points decision after twelve rounds.",
        "The home side scored a try in the last play to win the rugby match by two points.",
        "Tickets for the final went on sale this morning and sold out within an hour.",
        "The league fined the club for fielding an ineligible player.",
    ],
    "code": [
        "def parse_config(path):\n    with open(path) as f:\n        return yaml.safe_load(f)",
        "for (int i = 0; i < n; i++) { sum += values[i]; }",
        "SELECT customer_id, COUNT(*) FROM orders GROUP BY customer_id HAVING COUNT(*) > 5;",
        "The function returns a new list and does not mutate its argument.",
        "git rebase -i HEAD~3 lets you squash the last three commits into one.",
        "public static int max(int[] a) { int m = a[0]; for (int x : a) m = Math.max(m, x); return m; }",
        "Use a HashMap when you need constant-time lookups by key.",
        "const total = items.reduce((acc, item) => acc + item.price, 0);",
        "The compiler reports a type error because the method expects a String but receives an Integer.",
        "Run the unit tests with mvn test before you push the branch.",
        "class Stack:\n    def __init__(self):\n        self.items = []\n    def push(self, x):\n        self.items.append(x)",
        "A null pointer exception is thrown when the code dereferences a reference that is null.",
        "The API endpoint returns JSON with a status code of 200 on success and 404 when the resource is missing.",
        "Wrap the call in a try/catch block and log the exception with its stack trace.",
        "fn main() { let v: Vec<i32> = (1..10).collect(); println!(\"{:?}\", v); }",
        "Binary search runs in O(log n) time on a sorted array.",
        "docker build -t app:latest . && docker run -p 8080:8080 app:latest",
        "The linter flags unused imports and variables that are assigned but never read.",
        "async function fetchUser(id) { const res = await fetch(`/users/${id}`); return res.json(); }",
        "Refactor the method into smaller functions, each with a single responsibility.",
        "The garbage collector frees objects that are no longer reachable from any root.",
        "import numpy as np\narr = np.zeros((3, 4), dtype=np.float32)",
        "Pass the callback as a parameter and invoke it when the request completes.",
        "The recursion needs a base case, otherwise the stack overflows.",
    ],
    "legal": [
        "This Agreement shall be governed by and construed in accordance with the laws of the State of New York.",
        "The Licensee shall not sublicense, assign or transfer any rights granted under this Agreement.",
        "Either party may terminate this Agreement upon thirty days' written notice to the other party.",
        "The court held that the defendant owed the plaintiff a duty of care and breached it.",
        "Nothing in this clause limits liability for death or personal injury caused by negligence.",
        "The appellant argued that the trial judge misdirected the jury on the burden of proof.",
        "Confidential Information excludes information that is or becomes publicly available without breach.",
        "The tenant shall pay the rent monthly in advance on the first day of each calendar month.",
        "Any dispute arising out of this contract shall be referred to binding arbitration.",
        "The statute of limitations for the claim expired three years after the cause of action accrued.",
        "The parties agree that the indemnifying party shall defend and hold harmless the indemnified party.",
        "Under the regulation, the data controller must notify the supervisory authority within 72 hours.",
        "The injunction restrains the respondent from using the trademark pending the final hearing.",
        "This clause survives the termination or expiry of the Agreement.",
        "The witness testified under oath that the signature on the will was genuine.",
        "The supplier warrants that the goods will conform to the specification for twelve months.",
        "Force majeure excuses performance prevented by events beyond a party's reasonable control.",
        "The contract is void for lack of consideration, the court ruled.",
        "The board resolved to amend the articles of association by special resolution.",
        "Notices under this Agreement must be in writing and delivered by hand or registered post.",
        "The defendant was acquitted because the prosecution failed to prove intent beyond reasonable doubt.",
        "The lease grants the landlord a right of entry on reasonable notice for inspection.",
        "The plaintiff seeks damages for breach of contract and an order for specific performance.",
        "No waiver of any term shall be effective unless it is in writing and signed by both parties.",
    ],
    "finance": [
        "The central bank raised its policy rate by 25 basis points to curb inflation.",
        "Quarterly revenue rose 12 percent year on year, while operating margin narrowed to 18 percent.",
        "The bond yields 4.2 percent to maturity and is rated investment grade.",
        "Diversifying across asset classes reduces the volatility of a portfolio's returns.",
        "The company announced a share buyback of two billion dollars over the next year.",
        "Earnings per share beat analyst estimates by eight cents, and the stock rose in after-hours trading.",
        "A higher price-to-earnings ratio means investors pay more for each dollar of profit.",
        "The fund's expense ratio is 0.05 percent, one of the lowest in its category.",
        "Free cash flow is operating cash flow minus capital expenditure.",
        "The currency weakened against the dollar after the trade deficit widened.",
        "Compound interest makes savings grow faster the longer they are invested.",
        "The merger values the target at eleven times its annual EBITDA.",
        "Treasury yields fell as investors moved into safe-haven assets.",
        "The balance sheet shows total assets of 4.1 billion and liabilities of 2.7 billion.",
        "The dividend payout ratio has stayed around 40 percent for five years.",
        "Inflation eased to 2.9 percent in October, below economists' forecasts.",
        "The startup raised a Series B round of 60 million at a valuation of 500 million.",
        "Credit spreads widened as default risk in the high-yield market increased.",
        "The mortgage rate is fixed for five years, after which it tracks the base rate.",
        "Index funds track a market benchmark instead of picking individual stocks.",
        "The company's debt-to-equity ratio fell after it repaid its term loan.",
        "Analysts cut their price target after the firm lowered its full-year guidance.",
        "Foreign exchange reserves rose to a record high in the third quarter.",
        "Hedging with futures locks in a price and limits exposure to market moves.",
    ],
}

PER_DOMAIN = 55
DUPLICATE_SHARE = 0.10


def main():
    rnd = random.Random(7)
    docs = []
    for domain, sentences in S.items():
        seen = set()
        while len([d for d in docs if d["source"] == domain]) < PER_DOMAIN:
            picked = rnd.sample(sentences, rnd.randint(2, 4))
            text = " ".join(picked) if domain != "code" else "\n".join(picked)
            if text in seen:
                continue
            seen.add(text)
            n = len(seen)
            docs.append({"id": f"{domain}-{n:03d}", "url": f"https://demo.nag-selector.dev/{domain}/{n}",
                         "source": domain, "text": text})
    rnd.shuffle(docs)
    out = list(docs)
    for d in rnd.sample(docs, int(len(docs) * DUPLICATE_SHARE)):
        copy = dict(d, id=d["id"] + "-copy", url=d["url"] + "?copy=1")
        out.insert(rnd.randrange(len(out) + 1), copy)
    malformed = [
        "this line is not a JSON record",
        json.dumps({"url": "https://demo.nag-selector.dev/bad/1", "source": "bad", "text": "A document without an id."}),
        json.dumps({"id": "bad-empty", "source": "bad", "text": "   "}),
        json.dumps({"id": "bad-binary", "source": "bad", "text": "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008"}),
        json.dumps({"id": "bad-control", "source": "bad", "text": "\u0000" * 40}),
    ]
    lines = [json.dumps(d, ensure_ascii=False) for d in out]
    for m in malformed:
        lines.insert(rnd.randrange(len(lines) + 1), m)
    with open("corpus.jsonl", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(docs)} documents, {len(out) - len(docs)} duplicates, {len(malformed)} malformed")


if __name__ == "__main__":
    main()
