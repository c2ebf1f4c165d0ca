//! Name lists for the fictional organization. ASCII only, because user
//! principal names are built from them.

/// Given names, an international mix.
pub(crate) const FIRST: &[&str] = &[
    "Aaliyah",
    "Adam",
    "Aisha",
    "Alejandro",
    "Alex",
    "Amara",
    "Amelia",
    "Andrea",
    "Anna",
    "Arjun",
    "Ava",
    "Ben",
    "Bram",
    "Carlos",
    "Charlotte",
    "Chen",
    "Chloe",
    "Daan",
    "Daniel",
    "David",
    "Diego",
    "Elena",
    "Elif",
    "Emily",
    "Emma",
    "Eva",
    "Fatima",
    "Felix",
    "Finn",
    "Freya",
    "Gabriel",
    "Grace",
    "Hannah",
    "Hugo",
    "Ines",
    "Isabella",
    "Ivan",
    "Jack",
    "James",
    "Jasper",
    "Javier",
    "Jin",
    "Julia",
    "Kai",
    "Kenji",
    "Lara",
    "Laura",
    "Leo",
    "Liam",
    "Lina",
    "Lucas",
    "Lucy",
    "Maria",
    "Marta",
    "Mateo",
    "Maya",
    "Mei",
    "Mia",
    "Mohammed",
    "Nadia",
    "Noah",
    "Nora",
    "Oliver",
    "Olivia",
    "Omar",
    "Oscar",
    "Paula",
    "Pedro",
    "Priya",
    "Rafael",
    "Rania",
    "Ravi",
    "Rosa",
    "Ruben",
    "Ryan",
    "Sam",
    "Sara",
    "Sebastian",
    "Sofia",
    "Sophie",
    "Stefan",
    "Tariq",
    "Thomas",
    "Tim",
    "Tom",
    "Valentina",
    "Victor",
    "Wei",
    "William",
    "Xin",
    "Yara",
    "Yusuf",
    "Zara",
    "Zoe",
    "Noor",
    "Lotte",
    "Sven",
    "Ingrid",
    "Kofi",
    "Amani",
];

/// Family names, an international mix.
pub(crate) const LAST: &[&str] = &[
    "Adams",
    "Ahmed",
    "Alvarez",
    "Andersen",
    "Bakker",
    "Baker",
    "Becker",
    "Bianchi",
    "Brown",
    "Castro",
    "Chen",
    "Clark",
    "Cohen",
    "Costa",
    "Davies",
    "de Jong",
    "de Vries",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Gomez",
    "Green",
    "Gupta",
    "Hall",
    "Hansen",
    "Hernandez",
    "Hill",
    "Hoffmann",
    "Huang",
    "Ivanova",
    "Jansen",
    "Johansson",
    "Johnson",
    "Jones",
    "Kaur",
    "Khan",
    "Kim",
    "King",
    "Kowalski",
    "Kumar",
    "Laurent",
    "Lee",
    "Lewis",
    "Li",
    "Lopez",
    "Martin",
    "Martinez",
    "Meyer",
    "Moreau",
    "Morris",
    "Muller",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Nielsen",
    "Novak",
    "O'Brien",
    "Okafor",
    "Olsen",
    "Park",
    "Patel",
    "Peeters",
    "Perez",
    "Petrov",
    "Popescu",
    "Rossi",
    "Roux",
    "Russo",
    "Sanchez",
    "Santos",
    "Schmidt",
    "Schneider",
    "Scott",
    "Sharma",
    "Silva",
    "Singh",
    "Smith",
    "Suzuki",
    "Tanaka",
    "Taylor",
    "Thomas",
    "Turner",
    "van Dijk",
    "Visser",
    "Wagner",
    "Walker",
    "Wang",
    "Weber",
    "White",
    "Williams",
    "Wilson",
    "Wong",
    "Wright",
    "Yamamoto",
    "Yilmaz",
    "Young",
    "Zhang",
    "Zimmermann",
    "Mensah",
];

/// Departments with their relative sizes.
pub(crate) const DEPARTMENTS: &[(&str, u32)] = &[
    ("Sales", 15),
    ("Engineering", 14),
    ("Operations", 12),
    ("Customer Support", 11),
    ("Retail", 10),
    ("Marketing", 7),
    ("Finance", 6),
    ("Research", 6),
    ("IT", 5),
    ("Human Resources", 4),
    ("Design", 4),
    ("Product", 4),
    ("Legal", 2),
];

/// Offices: usage location (ISO country code), city, relative size. India is
/// outside the third-party app regions of R-SUB-8, on purpose.
pub(crate) const OFFICES: &[(&str, &str, u32)] = &[
    ("US", "Seattle", 38),
    ("GB", "London", 12),
    ("NL", "Amsterdam", 10),
    ("DE", "Berlin", 10),
    ("FR", "Paris", 8),
    ("CA", "Toronto", 7),
    ("AU", "Sydney", 6),
    ("IN", "Bengaluru", 5),
    ("ZA", "Cape Town", 4),
];

/// The department weights alone, for `Rng::weighted`.
pub(crate) fn department_weights() -> Vec<u32> {
    DEPARTMENTS.iter().map(|(_, weight)| *weight).collect()
}

/// The office weights alone, for `Rng::weighted`.
pub(crate) fn office_weights() -> Vec<u32> {
    OFFICES.iter().map(|(_, _, weight)| *weight).collect()
}

/// The index of a department by name (0 if unknown, which the tests rule out).
pub(crate) fn department(name: &str) -> usize {
    DEPARTMENTS
        .iter()
        .position(|(dept, _)| *dept == name)
        .unwrap_or(0)
}

/// The lower-case ASCII form used in a user principal name: "de Vries" ->
/// "devries", "O'Brien" -> "obrien".
pub(crate) fn upn_part(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_ascii_and_sized() {
        assert_eq!(FIRST.len(), 100);
        assert_eq!(LAST.len(), 100);
        assert!(FIRST.iter().chain(LAST).all(|name| name.is_ascii()));
        for list in [FIRST, LAST] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "a name is listed twice");
        }
    }

    #[test]
    fn upn_parts_are_plain() {
        assert_eq!(upn_part("de Vries"), "devries");
        assert_eq!(upn_part("O'Brien"), "obrien");
    }

    #[test]
    fn known_departments_exist() {
        for name in ["Sales", "Engineering", "Finance", "Design", "Product", "Retail"] {
            assert_eq!(DEPARTMENTS[department(name)].0, name);
        }
    }
}
