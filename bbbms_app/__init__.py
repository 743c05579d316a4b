"""BBBMS: an education management information system for general-education schools of Kyrgyzstan."""
