import ColaCore

/// Words the speech stand-ins say: the Speech Commands vocabularies and small per-language word
/// lists from which unique sentences are drawn.
enum Vocabulary {
    /// Speech Commands v0.01: 30 words (Warden 2018).
    static let speechCommandsV1 = [
        "bed", "bird", "cat", "dog", "down", "eight", "five", "four", "go", "happy", "house", "left",
        "marvin", "nine", "no", "off", "on", "one", "right", "seven", "sheila", "six", "stop", "three",
        "tree", "two", "up", "wow", "yes", "zero",
    ]

    /// Speech Commands v0.02: the 30 words of v1 and five more.
    static let speechCommandsV2 = (speechCommandsV1 + ["backward", "follow", "forward", "learn", "visual"]).sorted()

    /// How espeak-ng should say a command word (names spelled so they are read as words).
    static func spoken(_ word: String) -> String {
        switch word {
        case "marvin": return "Marvin"
        case "sheila": return "Sheila"
        default: return word
        }
    }

    /// Languages of the VoxForge stand-in: the six of the COLA paper's VoxForge task.
    static let voxforgeLanguages = ["de", "en", "es", "fr", "it", "ru"]

    /// The espeak-ng voices that speak each language (accents count as separate voices).
    static let voices: [String: [String]] = [
        "de": ["de"], "en": SyntheticSpeaker.englishVoices, "es": ["es", "es-419"],
        "fr": ["fr-fr", "fr-be", "fr-ch"], "it": ["it"], "ru": ["ru", "ru-lv"],
    ]

    /// Common words per language: sentence material.
    static let words: [String: [String]] = [
        "en": """
            the a small old green house river morning evening window garden people city road stone \
            water light quiet bright cold warm walked found opened carried followed remembered \
            slowly never always every little mountain forest letter table kitchen market music \
            friend brother sister teacher doctor farmer horse village winter summer yellow heavy \
            after before under over between behind today tomorrow often seven twelve hundred
            """,
        "de": """
            der die das ein eine kleine alte grüne Haus Fluss Morgen Abend Fenster Garten Leute \
            Stadt Straße Stein Wasser Licht ruhig hell kalt warm ging fand öffnete trug folgte \
            langsam niemals immer jeden Berg Wald Brief Tisch Küche Markt Musik Freund Bruder \
            Schwester Lehrer Arzt Bauer Pferd Dorf Winter Sommer gelb schwer nach vor unter über \
            zwischen heute morgen oft sieben zwölf hundert
            """,
        "es": """
            el la un una pequeña vieja verde casa río mañana tarde ventana jardín gente ciudad \
            camino piedra agua luz tranquilo claro frío caliente caminó encontró abrió llevó siguió \
            despacio nunca siempre cada montaña bosque carta mesa cocina mercado música amigo \
            hermano hermana maestro médico caballo pueblo invierno verano amarillo pesado después \
            antes bajo sobre entre hoy mañana siete doce cien
            """,
        "fr": """
            le la un une petite vieille verte maison rivière matin soir fenêtre jardin gens ville \
            route pierre eau lumière calme clair froid chaud marcha trouva ouvrit porta suivit \
            lentement jamais toujours chaque montagne forêt lettre table cuisine marché musique \
            ami frère sœur professeur médecin cheval village hiver été jaune lourd après avant sous \
            sur entre aujourd'hui demain souvent sept douze cent
            """,
        "it": """
            il la un una piccola vecchia verde casa fiume mattina sera finestra giardino gente \
            città strada pietra acqua luce tranquillo chiaro freddo caldo camminò trovò aprì portò \
            seguì lentamente mai sempre ogni montagna bosco lettera tavolo cucina mercato musica \
            amico fratello sorella maestro medico cavallo villaggio inverno estate giallo pesante \
            dopo prima sotto sopra tra oggi domani spesso sette dodici cento
            """,
        "ru": """
            маленький старый зелёный дом река утро вечер окно сад люди город дорога камень вода \
            свет тихий яркий холодный тёплый шёл нашёл открыл нёс помнил медленно никогда всегда \
            каждый гора лес письмо стол кухня рынок музыка друг брат сестра учитель врач лошадь \
            деревня зима лето жёлтый тяжёлый после перед под над между сегодня завтра часто семь \
            двенадцать сто
            """,
    ].mapValues { $0.split(separator: " ").map(String.init) }

    /// A sentence of `wordCount` words of `language` with a number in it; callers keep a set of
    /// sentences already used so no utterance text repeats anywhere in a build.
    static func sentence(language: String, wordCount: Int, using generator: inout SeededGenerator) -> String {
        let list = words[language] ?? words["en"]!
        var picked = (0..<wordCount).map { _ in list[Int(generator.next() % UInt64(list.count))] }
        let number = 2 + Int(generator.next() % 9_998)
        picked.insert(String(number), at: Int(generator.next() % UInt64(picked.count + 1)))
        return picked.joined(separator: " ")
    }
}

/// Sentences that are unique across a whole task: a drawn sentence already used is redrawn.
struct UniqueSentences {
    private var used: Set<String> = []

    /// A new sentence of `language` never returned before by this value.
    mutating func next(language: String, wordCount: ClosedRange<Int>, using generator: inout SeededGenerator) -> String {
        while true {
            let count = Int.random(in: wordCount, using: &generator)
            let text = Vocabulary.sentence(language: language, wordCount: count, using: &generator)
            if used.insert(text).inserted { return text }
        }
    }
}
