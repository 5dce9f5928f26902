"""What the licensing system knows about the law: versioned reference lists (control lists,
embargoes, denial notices), screening of applications against them, flags and consultations."""
