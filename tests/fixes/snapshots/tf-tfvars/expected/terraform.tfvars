# environment settings
tokens    = "required" # overrides the default
hop_limit = 1
