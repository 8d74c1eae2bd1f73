#!/bin/sh
# Example deploy script for the compose SSH target.
echo "Deploying demo app on $(hostname) as $(id -un)"
sleep 1
echo "Done"
