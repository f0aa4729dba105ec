# environment settings
tokens    = "optional" # overrides the default
hop_limit = 2
