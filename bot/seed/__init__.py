"""Demo data: Kamensk-Uralsky, 2022, from the project's source documents."""
