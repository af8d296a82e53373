-- One database per service: each service owns its tables and nothing else.
CREATE DATABASE registry;
CREATE DATABASE incidents;
CREATE DATABASE activities;
CREATE DATABASE notifications;
CREATE DATABASE notices;
CREATE DATABASE console;
